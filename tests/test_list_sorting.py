"""The record lists sort by any column they show: the header is a link, the sorted one says so (aria-sort),
equal values keep the order of their keys, pages keep the sort and the filters, and a list costs the same
number of queries whatever the number of its records."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.programmes.models import Milestone, Organisation, Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from nextsteps.records.kinds import KINDS
from nextsteps.records.listing import sort_fields
from tests import factories

pytestmark = pytest.mark.django_db
SEQUENCE = itertools.count(1)


def rows(response: Any) -> list[Any]:
    assert response.status_code == 200
    return [obj for obj, _cells, _address in response.context["rows"]]


def sa() -> Organisation:
    return Organisation.objects.get(slug="salvation-army-ro")


def person(code: str, sex: str = "female") -> m.Person:
    return actions.create_record(m.Person, acting_user=None, organisation=sa(), code=code, sex=sex)


def test_every_shown_column_of_every_list_sorts_both_ways(login: Callable[[str], Client]) -> None:
    client = login("coordinator")
    for kind in KINDS.values():
        for column in kind.list_columns:
            assert sort_fields(kind, column) is not None, f"{kind.key}.{column} cannot be sorted"
            for value in (column, f"-{column}"):
                response = client.get(reverse(f"records:{kind.key}-list"), {"sort": value})
                assert response.status_code == 200, (kind.key, value)
                assert response.context["headers"][kind.list_columns.index(column)].aria_sort == (
                    "descending" if value.startswith("-") else "ascending"
                )


def test_persons_sort_by_code_and_back(login: Callable[[str], Client]) -> None:
    for code in ("ZZS-003", "ZZS-001", "ZZS-002"):
        person(code)
    client = login("caseworker.sa")
    url = reverse("records:person-list")
    up = [p.code for p in rows(client.get(url, {"q": "ZZS-", "sort": "code"}))]
    down = [p.code for p in rows(client.get(url, {"q": "ZZS-", "sort": "-code"}))]
    assert up == ["ZZS-001", "ZZS-002", "ZZS-003"]
    assert down == list(reversed(up))


def test_a_column_with_choices_sorts_by_the_label_in_the_readers_language(
    login: Callable[[str], Client],
) -> None:
    # Stored as "female" and "male": in Dutch "man" comes before "vrouw", in English "female" before "male".
    dutch_office = Organisation.objects.get(slug="next-steps-nl")
    women = actions.create_record(
        m.Person, acting_user=None, organisation=dutch_office, code="ZZX-1", sex="female"
    )
    men = actions.create_record(
        m.Person, acting_user=None, organisation=dutch_office, code="ZZX-2", sex="male"
    )
    params = {"q": "ZZX-", "sort": "sex"}
    assert rows(login("coordinator").get(reverse("records:person-list"), params)) == [men, women]
    assert rows(login("dpo").get(reverse("records:person-list"), params)) == [women, men]


def test_equal_values_keep_the_order_of_their_keys(login: Callable[[str], Client]) -> None:
    people = [person(f"ZZE-{n}", "female") for n in range(4)]
    client = login("caseworker.sa")
    url = reverse("records:person-list")
    assert rows(client.get(url, {"q": "ZZE-", "sort": "sex"})) == people
    assert rows(client.get(url, {"q": "ZZE-", "sort": "-sex"})) == list(reversed(people))


def test_the_header_links_sort_and_reverse_keeping_the_filters(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    response = client.get(reverse("records:person-list"), {"q": "SAL", "sort": "code", "page": "2"})
    code, sex = response.context["headers"][:2]
    assert code.aria_sort == "ascending" and sex.aria_sort is None
    assert "sort=-code" in code.link and "q=SAL" in code.link and "page" not in code.link
    assert "sort=sex" in sex.link and "q=SAL" in sex.link
    html = response.content.decode()
    assert re.search(r'<th scope="col" aria-sort="ascending"><a class="sort" href="\?[^"]*sort=-code', html)
    reversed_ = client.get(reverse("records:person-list") + code.link)
    assert reversed_.context["headers"][0].aria_sort == "descending"


def test_the_pages_keep_the_sort_and_the_filters(login: Callable[[str], Client]) -> None:
    for n in range(30):
        person(f"ZZP-{n:03d}")
    client = login("caseworker.sa")
    first = client.get(reverse("records:person-list"), {"q": "ZZP-", "sort": "-code"})
    assert [p.code for p in rows(first)][:2] == ["ZZP-029", "ZZP-028"]
    html = first.content.decode()
    pager = re.search(r'<nav class="pager".*?</nav>', html, re.S)
    assert pager is not None
    link = re.search(r'href="(\?[^"]*page=2)"', pager.group(0))
    assert link is not None and "sort=-code" in link.group(1) and "q=ZZP-" in link.group(1)
    second = client.get(reverse("records:person-list") + link.group(1).replace("&amp;", "&"))
    assert [p.code for p in rows(second)] == [f"ZZP-{n:03d}" for n in range(4, -1, -1)]


def test_an_unknown_sort_shows_the_lists_own_order(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    url = reverse("records:visit-list")
    for value in ("nonsense", "-organisation__name", "persons"):
        response = client.get(url, {"sort": value})
        assert response.status_code == 200
        assert response.context["headers"][0].aria_sort == "descending"  # the date, newest first
        dates = [v.date for v in rows(response)]
        assert dates == sorted(dates, reverse=True)


def test_an_encrypted_column_is_not_a_sort_link() -> None:
    volunteers = KINDS["volunteer"]
    assert sort_fields(volunteers, "name") is None  # not shown, and ciphertext besides


def queries(client: Client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("kind", "persona", "sort"),
    [
        ("person", "caseworker.sa", "-sex"),
        ("service", "caseworker.sa", "case"),
        ("visit", "outreach.sa", "household"),
    ],
)
def test_a_list_costs_the_same_queries_for_few_or_many_records(
    kind: str, persona: str, sort: str, login: Callable[[str], Client], demo: Programme
) -> None:
    client = login(persona)
    url = reverse(f"records:{kind}-list")
    marker = f"ZQ{kind[:2].upper()}"

    def add(n: int) -> None:
        for _ in range(n):
            who = person(f"{marker}-{next(SEQUENCE)}")
            if kind == "service":
                factories.service(demo, sa(), who, dt.date(2021, 9, 1))
            if kind == "visit":
                home = factories.household(sa(), who, locality=marker)
                factories.visit(demo, sa(), dt.date(2021, 9, 1), who, household=home, locality=marker)

    params = {"q": marker, "sort": sort}
    add(2)
    client.get(url, params)  # the first request of a session reads what later ones keep
    few = queries(client, url, params)
    add(20)
    many = queries(client, url, params)
    assert len(rows(client.get(url, params))) == 22
    assert few == many


def test_a_sorted_list_holds_only_the_readers_organisations_records(
    login: Callable[[str], Client],
) -> None:
    client = login("caseworker.sa")
    listed = rows(client.get(reverse("records:person-list"), {"sort": "-code"}))
    assert listed and {p.organisation_id for p in listed} == {sa().pk}
    assert not m.Person.objects.filter(pk__in=[p.pk for p in listed]).exclude(organisation=sa()).exists()


def test_records_without_a_value_come_last_both_ways(login: Callable[[str], Client], demo: Programme) -> None:
    dutch_office = Organisation.objects.get(slug="next-steps-nl")

    def milestone(pillar: Any) -> Any:
        return actions.create_record(
            Milestone,
            acting_user=None,
            programme=demo,
            organisation=dutch_office,
            pillar=pillar,
            date=dt.date(2021, 9, 1),
            text_en="ZZM shelter opened",
        )

    loose, placed = milestone(None), milestone(demo.pillars.order_by("number").first())
    client = login("coordinator")
    for value in ("pillar", "-pillar"):
        assert rows(client.get(reverse("records:milestone-list"), {"sort": value, "q": "ZZM"})) == [
            placed,
            loose,
        ]
