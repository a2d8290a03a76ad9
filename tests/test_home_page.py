"""My cases is a caseworker's home page: signing in lands a caseworker there; a coordinator (who works on
cases too) and the other roles land on the dashboard, which links My cases for whoever works on cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
PASSWORD = "test-persona-password"


def sign_in(username: str, **extra: str) -> str:
    response = Client().post(
        reverse("accounts:login") + extra.get("query", ""), {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return str(response["Location"])


@pytest.mark.parametrize("username", ["caseworker.sa", "caseworker.ijm"])
def test_a_caseworker_lands_on_my_cases_after_signing_in(username: str) -> None:
    assert sign_in(username) == reverse("casework:mine")


@pytest.mark.parametrize("username", ["coordinator", "viewer", "outreach.sa", "dpo"])
def test_other_roles_keep_the_dashboard(username: str) -> None:
    assert sign_in(username) == reverse("home")


def test_a_page_asked_for_before_signing_in_comes_first() -> None:
    assert sign_in("caseworker.sa", query="?next=/cases/caseload/") == "/cases/caseload/"


def test_the_dashboard_links_my_cases_for_whoever_works_on_cases(login: Callable[[str], Client]) -> None:
    mine = f'href="{reverse("casework:mine")}"'
    assert login("caseworker.sa").get(reverse("home")).content.decode().count(mine) >= 2  # menu and link
    assert mine not in login("viewer").get(reverse("home")).content.decode()
