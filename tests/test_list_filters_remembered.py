"""A record list keeps its filters and order for the session: leaving it and coming back restores them, each
list its own, until "Clear filters". The search text is not kept (it may be a person's name). On a phone
the filters are folded away unless some are active, so that the first screen shows records."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

VISITS = reverse("records:visit-list")


def test_coming_back_to_a_list_restores_its_filters_and_sort(login: Callable[[str], Client]) -> None:
    client = login("outreach.sa")
    assert client.get(VISITS, {"locality": "Ferentari", "sort": "-locality", "page": "1"}).status_code == 200
    client.get(reverse("records:person-list"))
    back = client.get(VISITS)
    assert back.status_code == 302
    assert back["Location"] == f"{VISITS}?locality=Ferentari&sort=-locality"
    restored = client.get(back["Location"])
    assert restored.context["filters"].cleaned_data["locality"] == "Ferentari"
    assert restored.context["headers"][2].aria_sort == "descending"


def test_each_list_remembers_its_own_filters(login: Callable[[str], Client]) -> None:
    client = login("outreach.sa")
    client.get(VISITS, {"locality": "Ferentari"})
    households = client.get(reverse("records:household-list"))
    assert households.status_code == 200
    assert not households.context["filters_open"]


def test_clear_filters_forgets_them(login: Callable[[str], Client]) -> None:
    client = login("outreach.sa")
    page = client.get(VISITS, {"locality": "Ferentari"})
    assert 'href="?clear=1"' in page.content.decode()
    cleared = client.get(VISITS, {"clear": "1"})
    assert cleared.status_code == 302 and cleared["Location"] == VISITS
    whole = client.get(VISITS)
    assert whole.status_code == 200 and not whole.context["filters_open"]
    assert 'href="?clear=1"' not in whole.content.decode()


def test_emptied_filters_are_forgotten(login: Callable[[str], Client]) -> None:
    client = login("outreach.sa")
    client.get(VISITS, {"locality": "Ferentari"})
    client.get(VISITS, {"locality": "", "q": ""})
    assert client.get(VISITS).status_code == 200


def test_the_search_text_is_not_kept_in_the_session(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    client.get(reverse("records:person-list"), {"q": "Ioana Popescu", "sort": "code"})
    assert "Ioana" not in str(dict(client.session))
    back = client.get(reverse("records:person-list"))
    assert back.status_code == 302 and back["Location"].endswith("?sort=code")


def test_filters_with_a_mistake_are_not_kept(login: Callable[[str], Client]) -> None:
    client = login("outreach.sa")
    client.get(VISITS, {"locality": "Ferentari"})
    wrong = client.get(VISITS, {"date_from": "2022-01-01", "date_to": "2021-01-01"})
    assert wrong.context["filters_open"]  # the mistake is shown, not folded away
    back = client.get(VISITS)
    assert back["Location"] == f"{VISITS}?locality=Ferentari"


def test_another_session_starts_without_them(login: Callable[[str], Client]) -> None:
    login("outreach.sa").get(VISITS, {"locality": "Ferentari"})
    assert login("outreach.sa").get(VISITS).status_code == 200


def fold(html: str) -> str:
    found = re.search(r"<details class=\"filters-fold\"[^>]*>", html)
    assert found is not None
    return found.group(0)


def test_the_filters_are_folded_unless_active(login: Callable[[str], Client]) -> None:
    client = login("outreach.sa")
    assert " open" not in fold(client.get(VISITS).content.decode())
    assert " open" not in fold(client.get(VISITS, {"sort": "locality"}).content.decode())
    assert " open" in fold(client.get(VISITS, {"locality": "Ferentari"}).content.decode())


def test_filtering_keeps_the_sort(login: Callable[[str], Client]) -> None:
    html = login("outreach.sa").get(VISITS, {"sort": "-locality"}).content.decode()
    form = re.search(r'<form method="get" class="filters".*?</form>', html, re.S)
    assert form is not None and '<input type="hidden" name="sort" value="-locality">' in form.group(0)


def test_my_cases_remembers_its_filters_but_not_the_searched_name(login: Callable[[str], Client]) -> None:
    client = login("caseworker.ijm")
    mine = reverse("casework:mine")
    params = {"q": "Maria", "status": "all", "scope": "organisation", "sort": "code"}
    assert client.get(mine, params).status_code == 200
    assert "Maria" not in str(dict(client.session))
    back = client.get(mine)
    assert back.status_code == 302
    assert back["Location"] == f"{mine}?status=all&scope=organisation&sort=code"
    assert 'href="?clear=1"' in client.get(back["Location"]).content.decode()
    assert client.get(mine, {"clear": "1"})["Location"] == mine
    assert client.get(mine).status_code == 200


def test_a_reader_without_cases_gets_404_even_when_clearing(login: Callable[[str], Client]) -> None:
    assert login("viewer").get(reverse("casework:mine"), {"clear": "1"}).status_code == 404
