"""`nextsteps api-token`: administrators make, list and revoke users' API tokens."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from nextsteps.api.models import ApiToken
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api-token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_a_working_token_once(db: Any) -> None:
    out, err = run("create", "dpo", "--name", "Data-protection requests")
    token = out.strip()
    assert token.startswith("nst_") and token not in err and "Data-protection requests" in err
    assert ApiClient(token).get("/api/v1/me").json()["username"] == "dpo"
    listing, _err = run("list", "dpo")
    assert token[:12] in listing and token not in listing and "Data-protection requests" in listing


def test_revoke_stops_the_token_named_by_its_start(db: Any) -> None:
    token = run("create", "viewer", "--name", "Board dashboard")[0].strip()
    run("revoke", token[:12] + "…")
    assert ApiToken.objects.get(user__username="viewer").revoked is not None
    assert ApiClient(token).get("/api/v1/me").status_code == 401
    assert "revoked" in run("list")[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "nobody", "--name", "x"), "There is no user “nobody”."),
        (("create", "viewer", "--name", " "), "Give the token a name, e.g. the program that will use it."),
        (("revoke", "nst_nothing"), "No token starts with “nst_nothing”."),
        (("revoke", ""), "No token starts with “”."),
    ],
)
def test_bad_input_gets_a_one_line_message(db: Any, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert str(error.value) == message
    assert not ApiToken.objects.exists()
