"""Changing one's password: the old one stops working, the new one works, and the session stays."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse

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
