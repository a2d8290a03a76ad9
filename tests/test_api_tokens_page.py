"""The API tokens page: people make and revoke their own tokens; a new token is shown once, never cached."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.api.models import ApiToken
from nextsteps.audit.models import AuditEntry
from tests.apiclient import ApiClient, token_for

pytestmark = pytest.mark.django_db


def test_a_new_token_is_shown_once_and_works(login: Callable[[str], Client]) -> None:
    browser = login("caseworker.sa")
    response = browser.post(reverse("tokens:list"), {"name": "Kobo sync"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = re.search(r'<code id="new-token">(nst_[^<]+)</code>', response.content.decode())
    assert token is not None
    assert ApiClient(token.group(1)).get("/api/v1/me").json()["username"] == "caseworker.sa"
    again = browser.get(reverse("tokens:list")).content.decode()
    assert token.group(1) not in again and "Kobo sync" in again and token.group(1)[:12] in again
    record = ApiToken.objects.get(user__username="caseworker.sa")
    assert AuditEntry.objects.filter(action="create", model="api.ApiToken", object_pk=str(record.pk)).exists()


def test_a_token_needs_a_name(login: Callable[[str], Client]) -> None:
    response = login("viewer").post(reverse("tokens:list"), {"name": "  "})
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.filter(user__username="viewer").exists()


def test_people_revoke_their_own_tokens(login: Callable[[str], Client]) -> None:
    token = token_for("viewer")
    record = ApiToken.objects.get(user__username="viewer")
    response = login("viewer").post(reverse("tokens:list"), {"revoke": record.pk})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.revoked is not None
    assert ApiClient(token).get("/api/v1/me").status_code == 401


def test_nobody_sees_or_revokes_someone_elses_token(login: Callable[[str], Client]) -> None:
    token_for("coordinator")
    record = ApiToken.objects.get(user__username="coordinator")
    browser = login("viewer")
    assert record.prefix not in browser.get(reverse("tokens:list")).content.decode()
    assert browser.post(reverse("tokens:list"), {"revoke": record.pk}).status_code == 404
    assert browser.post(reverse("tokens:list"), {"revoke": "x"}).status_code == 404
    record.refresh_from_db()
    assert record.revoked is None
