"""The new-person page asks before recording someone who is likely recorded already."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Person
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = reverse("records:person-create")


@pytest.fixture(autouse=True)
def _in_english(db: Any) -> None:
    User.objects.filter(username__in=["caseworker.sa", "caseworker.ijm"]).update(language="en")


def posted(**extra: Any) -> dict[str, Any]:
    return {
        "code": "NEW-DUP-1",
        "sex": "female",
        "birth_year": 1991,
        "survivor_status": "no",
        "given_name": "zamfira",
        "family_name": "DUBLURA",
        **extra,
    }


def existing(slug: str) -> Person:
    return f.person(
        Organisation.objects.get(slug=slug),
        born=dt.date(1991, 5, 1),
        given_name="Zamfira",
        family_name="Dublura",
    )


def test_it_asks_before_saving_a_likely_duplicate_with_a_link_to_her(login: Callable[[str], Client]) -> None:
    same = existing("salvation-army-ro")
    response = login("caseworker.sa").post(URL, posted())
    page = response.content.decode()
    assert response.status_code == 200
    assert "A person with the same name and year of birth exists" in page
    assert f'<a href="{reverse("records:person-detail", args=[same.pk])}">{same.code}</a>' in page
    assert not Person.objects.filter(code="NEW-DUP-1").exists()


def test_it_saves_once_confirmed(login: Callable[[str], Client]) -> None:
    existing("salvation-army-ro")
    response = login("caseworker.sa").post(URL, posted(save_anyway="on"))
    assert response.status_code == 302
    assert Person.objects.filter(code="NEW-DUP-1").exists()


def test_a_namesake_of_another_organisation_or_year_is_saved_without_asking(
    login: Callable[[str], Client],
) -> None:
    existing("ijm-ro")
    client = login("caseworker.sa")
    assert client.post(URL, posted()).status_code == 302
    existing("salvation-army-ro")
    assert client.post(URL, posted(code="NEW-DUP-2", birth_year=1985)).status_code == 302
