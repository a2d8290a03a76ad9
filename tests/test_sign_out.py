"""Signing out: a POST that ends the session for good."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_signing_out_ends_the_session(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not Session.objects.filter(session_key=key).exists()
    after = client.get(reverse("records:person-list"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("accounts:login"))
