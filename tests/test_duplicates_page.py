"""The likely duplicate persons page and the merge confirmation page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.accounts.models import User
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Person
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(db: Any) -> None:
    User.objects.filter(username="caseworker.sa").update(language="en")


URL = reverse("records:person-duplicates")


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def twins(organisation: Organisation, given: str = "Zamfira", year: int = 1991) -> tuple[Person, Person]:
    born = dt.date(year, 5, 1)
    return (
        f.person(organisation, born=born, given_name=given, family_name="Dublura"),
        f.person(organisation, given_name=given.upper(), family_name="dublura"),
    )


def test_it_lists_the_pairs_of_the_own_organisation_only(login: Callable[[str], Client]) -> None:
    sa_first, sa_second = twins(org("salvation-army-ro"))
    ijm_first, _ijm_second = twins(org("ijm-ro"), "Veturia")
    page = login("caseworker.sa").get(URL).content.decode()
    assert sa_first.code in page and sa_second.code in page
    assert reverse("records:person-merge", args=[sa_first.pk, sa_second.pk]) in page
    assert ijm_first.code not in page
    assert "Zamfira" not in page  # codes only: names are read on the person's own page


def test_its_query_count_does_not_grow_with_the_pairs(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    twins(org("salvation-army-ro"))
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for n in range(5):
        twins(org("salvation-army-ro"), f"Name{n}")
    with CaptureQueriesContext(connection) as six:
        page = client.get(URL).content.decode()
    assert page.count("/merge/") == 6
    assert len(six) == len(one)


def test_merging_moves_and_deletes_the_other_and_says_so(login: Callable[[str], Client]) -> None:
    first, second = twins(org("salvation-army-ro"))
    url = reverse("records:person-merge", args=[first.pk, second.pk])
    client = login("caseworker.sa")
    confirm = client.get(url).content.decode()
    assert "What moves from" in confirm and second.code in confirm
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("records:person-detail", args=[first.pk])
    assert f"{second.code} was merged into {first.code}." in response.content.decode()
    assert not Person.objects.filter(pk=second.pk).exists()


def test_a_refused_merge_says_why_and_keeps_both(login: Callable[[str], Client], demo: Any) -> None:
    sa = org("salvation-army-ro")
    first, second = twins(sa)
    for person in (first, second):
        f.open_case(programme=demo, organisation=sa, person=person, opened=dt.date(2024, 1, 10))
    url = reverse("records:person-merge", args=[first.pk, second.pk])
    client = login("caseworker.sa")
    assert "both have an open case" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "both have an open case" in response.content.decode()
    assert Person.objects.filter(pk=second.pk).exists()


def test_it_answers_404_for_a_pair_of_another_organisation_or_of_two(login: Callable[[str], Client]) -> None:
    sa_first, _sa_second = twins(org("salvation-army-ro"))
    ijm_first, ijm_second = twins(org("ijm-ro"), "Veturia")
    client = login("caseworker.sa")
    assert client.post(reverse("records:person-merge", args=[ijm_first.pk, ijm_second.pk])).status_code == 404
    assert client.get(reverse("records:person-merge", args=[sa_first.pk, ijm_first.pk])).status_code == 404
    assert client.get(reverse("records:person-merge", args=[sa_first.pk, sa_first.pk])).status_code == 404
    assert Person.objects.filter(pk=ijm_second.pk).exists()


def test_the_persons_list_links_the_page_for_who_may_merge_only(login: Callable[[str], Client]) -> None:
    persons = reverse("records:person-list")
    assert URL in login("caseworker.sa").get(persons).content.decode()
    assert URL not in login("outreach.sa").get(persons).content.decode()
