"""Changing one's password: the old one stops working, the new one works, the session stays, the change is in
the audit trail, and the page waits for the second sign-in step like every other."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "quiet-river-orchard-17"


def test_a_password_change_takes_effect_and_keeps_the_user_signed_in(login: Callable[[str], Client]) -> None:
    client = login("viewer")
    response = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-done")
    assert authenticate(username="viewer", password=NEW_PASSWORD) is not None
    assert authenticate(username="viewer", password=PASSWORD) is None
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_old_password_changes_nothing(login: Callable[[str], Client]) -> None:
    response = login("viewer").post(
        reverse("accounts:password"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    assert authenticate(username="viewer", password=PASSWORD) is not None


def change(client: Client) -> object:
    return client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


@pytest.mark.parametrize("username", ["caseworker.sa", "admin", "operator"])
def test_the_password_cannot_be_changed_before_the_second_step(username: str) -> None:
    client = Client()
    client.force_login(User.objects.get(username=username))  # the password alone, no second step yet
    for response in (client.get(reverse("accounts:password")), change(client)):
        assert response.status_code == 302  # type: ignore[attr-defined]
        assert response["Location"].startswith(reverse("accounts:2fa-verify"))  # type: ignore[index]
    assert authenticate(username=username, password=PASSWORD) is not None
    assert client.get(reverse("accounts:password-done")).status_code == 302


def test_a_password_change_is_audited_without_the_password(login: Callable[[str], Client]) -> None:
    viewer = User.objects.get(username="viewer")
    assert change(login("viewer")).status_code == 302  # type: ignore[attr-defined]
    entry = AuditEntry.objects.filter(model="accounts.User", object_pk=str(viewer.pk)).latest("pk")
    assert (entry.action, entry.user, entry.fields) == ("change", viewer, ["password"])
    assert entry.organisation is not None and entry.organisation.slug == "next-steps-nl"
    assert NEW_PASSWORD not in str(entry.fields)


def test_a_caseworker_past_the_second_step_changes_the_password_and_stays_verified(
    login: Callable[[str], Client],
) -> None:
    client = login("caseworker.sa")
    assert change(client)["Location"] == reverse("accounts:password-done")  # type: ignore[index]
    assert authenticate(username="caseworker.sa", password=NEW_PASSWORD) is not None
    assert client.get(reverse("home")).status_code == 200
