"""What every page shares: our own stylesheet and script, no third-party requests, a translated 404."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_stylesheet_and_htmx_are_served_by_the_app(login: Callable[[str], Client]) -> None:
    html = login("coordinator").get(reverse("home")).content.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert any(a.endswith("app.css") for a in assets) and any("htmx" in a for a in assets)
    for asset in assets:
        response = Client().get(asset)
        assert response.status_code == 200, asset


def test_no_page_names_another_host(login: Callable[[str], Client]) -> None:
    client = login("outreach.sa")
    for url in (
        reverse("home"),
        reverse("records:outreach-round"),
        reverse("records:person-list"),
        reverse("reports"),
    ):
        html = client.get(url).content.decode()
        assert not re.search(r'(?:href|src|action)="(?:https?:)?//', html), url


def test_a_missing_page_says_so_in_the_users_language(login: Callable[[str], Client]) -> None:
    response = login("caseworker.sa").get("/persons/999999/")
    assert response.status_code == 404
    assert response.templates[0].name == "404.html"
    assert '<html lang="ro">' in response.content.decode()


def test_every_description_a_field_points_at_is_on_the_page(login: Callable[[str], Client]) -> None:
    """Screen readers read a field's help text and errors through aria-describedby: the ids must exist."""
    client = login("coordinator")
    pages = [
        client.get(reverse("records:partner_contact-create")),
        client.post(reverse("records:partner_contact-create"), {"established": "not a date"}),
        client.get(reverse("records:outreach-round")),
    ]
    described = 0
    for response in pages:
        html = response.content.decode()
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        for value in re.findall(r'aria-describedby="([^"]+)"', html):
            described += 1
            assert set(value.split()) <= ids, value
    assert described >= 3
