"""Each user reads Next Steps in the language they chose, whatever their browser asks for."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User

pytestmark = pytest.mark.django_db


def test_switching_to_romanian_changes_every_page(login: Callable[[str], Client]) -> None:
    client = login("coordinator")
    response = client.post(reverse("accounts:language"), {"language": "ro", "next": "/"}, follow=True)
    assert User.objects.get(username="coordinator").language == "ro"
    html = response.content.decode()
    assert '<html lang="ro">' in html
    assert "De acum vedeți Next Steps în limba română." in html
    assert "Pilonul 1" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()


def test_an_unknown_language_is_refused_with_a_message(login: Callable[[str], Client]) -> None:
    client = login("coordinator")
    response = client.post(reverse("accounts:language"), {"language": "xx"}, follow=True)
    assert User.objects.get(username="coordinator").language == "nl"
    assert "Die taal is niet beschikbaar." in response.content.decode()


def test_it_never_redirects_off_site(login: Callable[[str], Client]) -> None:
    response = login("coordinator").post(
        reverse("accounts:language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
