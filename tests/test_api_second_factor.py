"""The second factor and the API: calls under /api/ are authenticated by their bearer token alone and are
never sent to the second-factor page, while the API tokens page, where tokens are made, is a page like any
other: no token can be made with a password alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.middleware import TwoFactorMiddleware
from nextsteps.accounts.models import User
from nextsteps.api.models import ApiToken
from nextsteps.audit.models import AuditEntry
from tests.apiclient import token_for

pytestmark = pytest.mark.django_db

NEED_A_TOKEN = "Send a valid API token in the header “Authorization: Bearer TOKEN”."


def password_only(username: str, **headers: str) -> Client:
    """Signed in with a password, second factor not yet given."""
    client = Client(headers=headers)
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize(
    "path", ["/api/v1/me", "/api/v1/records/persons", "/api/v1/programmes", "/api/v1/records/persons/1"]
)
def test_api_calls_without_a_token_answer_401_json_not_the_second_factor_page(path: str) -> None:
    for client in (Client(), password_only("caseworker.sa")):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["Content-Type"].startswith("application/json")
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json() == {"message": NEED_A_TOKEN}


def test_a_token_works_whatever_session_comes_with_it() -> None:
    token = token_for("caseworker.sa")
    client = password_only("coordinator", Authorization=f"Bearer {token}")
    response = client.get("/api/v1/me")
    assert response.status_code == 200 and response.json()["username"] == "caseworker.sa"


def test_the_tokens_page_needs_the_second_factor() -> None:
    assert not "/api-tokens/".startswith(TwoFactorMiddleware.OPEN_PREFIXES)
    client = password_only("caseworker.sa")
    for response in (
        client.get(reverse("tokens:list")),
        client.post(reverse("tokens:list"), {"name": "made with a password alone"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:2fa-verify"))
    assert not ApiToken.objects.filter(user__username="caseworker.sa").exists()


def test_the_tokens_page_opens_after_the_second_factor(login: Callable[[str], Client]) -> None:
    response = login("caseworker.sa").post(reverse("tokens:list"), {"name": "Kobo sync"})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user__username="caseworker.sa", name="Kobo sync").exists()


def test_making_and_revoking_a_token_are_on_the_audit_trail_of_the_users_organisation(
    login: Callable[[str], Client],
) -> None:
    browser = login("coordinator")
    browser.post(reverse("tokens:list"), {"name": "donor dashboard"})
    record = ApiToken.objects.get(user__username="coordinator")
    browser.post(reverse("tokens:list"), {"revoke": record.pk})
    entries = AuditEntry.objects.filter(model="api.ApiToken", object_pk=str(record.pk))
    assert sorted(e.action for e in entries) == ["change", "create"]
    for entry in entries:
        assert entry.user is not None and entry.user.username == "coordinator"
        assert entry.organisation is not None and entry.organisation.slug == "next-steps-nl"
    trail = login("admin").get(reverse("audit"), {"model": "api.ApiToken", "record": str(record.pk)})
    assert {e.pk for e in trail.context["page"].object_list} == {e.pk for e in entries}
    # Not on the trail of an organisation the token cannot reach.
    assert not AuditEntry.objects.filter(model="api.ApiToken").exclude(organisation__slug="next-steps-nl")
