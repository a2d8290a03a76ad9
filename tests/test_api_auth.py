"""Token authentication: only `Authorization: Bearer TOKEN` opens the API, never a session cookie; missing,
unknown, revoked tokens and tokens of inactive users get 401 in JSON; tokens are stored hashed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.accounts.models import User
from nextsteps.api import actions
from nextsteps.api.models import ApiToken
from nextsteps.records import models as m
from tests.apiclient import ApiClient, token_for

pytestmark = pytest.mark.django_db

NEED_A_TOKEN = "Send a valid API token in the header “Authorization: Bearer TOKEN”."


def assert_refused(response: Any) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"message": NEED_A_TOKEN}  # in English, the default language


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer nst_madeup",
        "Token nst_x",
        "Basic Y29vcmRpbmF0b3I6eA==",
        "Bearer " + "x" * 5000,
    ],
)
def test_calls_without_a_valid_token_get_401(db: Any, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    assert_refused(Client(headers=headers).get("/api/v1/me"))


def test_a_revoked_token_no_longer_works(db: Any) -> None:
    client = ApiClient(token_for("caseworker.ijm"))
    assert client.get("/api/v1/me").status_code == 200
    actions.revoke_token(ApiToken.objects.get(user__username="caseworker.ijm"), acting_user=None)
    assert_refused(client.get("/api/v1/me"))


def test_the_token_of_an_inactive_user_no_longer_works(db: Any) -> None:
    client = ApiClient(token_for("viewer"))
    User.objects.filter(username="viewer").update(is_active=False)
    assert_refused(client.get("/api/v1/me"))


def test_a_signed_in_session_does_not_open_the_api(login: Callable[[str], Client]) -> None:
    browser = login("caseworker.ijm")
    assert_refused(browser.get("/api/v1/me"))
    case = m.Case.objects.filter(organisation__slug="ijm-ro").first()
    assert case is not None
    before = m.ServiceDelivery.objects.count()
    legal = m.ServiceType.objects.get(code="legal_support")
    body = json.dumps({"case": case.pk, "service_type": legal.pk, "date": "2021-09-01"})
    assert_refused(browser.post("/api/v1/records/services", body, content_type="application/json"))
    assert m.ServiceDelivery.objects.count() == before


def test_the_api_acts_as_the_tokens_user_whatever_the_session(login: Callable[[str], Client]) -> None:
    browser = login("coordinator")
    response = browser.get("/api/v1/me", headers={"Authorization": f"Bearer {token_for('caseworker.ijm')}"})
    assert response.json()["username"] == "caseworker.ijm"


def test_tokens_need_no_csrf_token(db: Any) -> None:
    """CSRF protects cookies; a bearer token is never sent by a browser on its own."""
    client = Client(
        enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token_for('prevention.dorcas')}"}
    )
    activity = m.Activity.objects.filter(organisation__slug="dorcas-ro").first()
    assert activity is not None
    response = client.patch(
        f"/api/v1/records/activities/{activity.pk}",
        json.dumps({"title": "Renamed"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.title == "Renamed"


def test_only_a_hash_of_the_token_is_stored(db: Any) -> None:
    token = token_for("dpo")
    record = ApiToken.objects.get(user__username="dpo")
    assert token.startswith("nst_") and len(token) > 40
    assert record.prefix == token[:12] and token not in record.digest
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert token not in stored and token[12:20] not in stored


def test_using_a_token_records_when_it_was_last_used(db: Any) -> None:
    client = ApiClient(token_for("admin"))
    assert ApiToken.objects.get(user__username="admin").last_used is None
    client.get("/api/v1/me")
    assert ApiToken.objects.get(user__username="admin").last_used is not None


def test_a_refusal_speaks_the_callers_language(db: Any) -> None:
    response = Client(headers={"Accept-Language": "ro"}).get("/api/v1/me")
    with translation.override("ro"):
        expected = gettext(NEED_A_TOKEN)
    assert response.status_code == 401 and response.json() == {"message": expected}
