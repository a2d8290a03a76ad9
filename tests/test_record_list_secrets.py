"""A record list reads and decrypts only the encrypted fields it shows: the names, phones and notes of the
listed records (and of the persons it shows along) stay ciphertext in the database, unread."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from nextsteps.records.kinds import KINDS
from nextsteps.records.listing import model_at, unread_secrets
from tests import factories

pytestmark = pytest.mark.django_db


def column_of(kind: str, name: str) -> str:
    """`person__given_name` of a case → "records_person"."given_name"."""
    path, _, field = name.rpartition("__")
    model = model_at(KINDS[kind].model, path)
    return f'"{model._meta.db_table}"."{model._meta.get_field(field).column}"'


def test_the_persons_list_leaves_names_and_phones_unread() -> None:
    assert {"given_name", "family_name", "phone", "address", "identity_number"} <= set(
        unread_secrets(KINDS["person"])
    )
    assert "person__given_name" in unread_secrets(KINDS["case"])
    assert "code" not in unread_secrets(KINDS["person"])  # shown, and not encrypted anyway


@pytest.mark.parametrize("kind", [kind for kind in KINDS if unread_secrets(KINDS[kind])])
def test_no_list_decrypts_or_loads_a_field_it_does_not_show(
    kind: str, login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch, demo: Programme
) -> None:
    if kind == "story":  # the demo tells none of the coordinator's organisation
        organisation = Organisation.objects.get(slug="next-steps-nl")
        actions.create_record(
            m.Story,
            acting_user=None,
            programme=demo,
            organisation=organisation,
            person=actions.create_record(
                m.Person, acting_user=None, organisation=organisation, code="ZS-1", sex="female"
            ),
            date=demo.start_date,
            text_en="A synthetic story.",
        )
    decrypted = factories.spy_on_decryption(monkeypatch)
    with CaptureQueriesContext(connection) as captured:
        response = login("coordinator").get(reverse(f"records:{kind}-list"))
    assert response.status_code == 200
    assert response.context["rows"], f"the demo has no {kind} to list"
    unread = [column_of(kind, name) for name in unread_secrets(KINDS[kind])]
    # Neither in the list's query nor loaded row by row afterwards.
    assert not [sql for sql in (q["sql"] for q in captured) for column in unread if column in sql]
    assert not {where for where in decrypted} & {column.replace('"', "") for column in unread}
