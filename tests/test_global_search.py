"""The search box of the header and its page (/search/?q=): persons, households and cases the user may see, by
the first letters of a code or a whole name, with links to them; the same queries whatever their number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records.models import Case, Household, Person
from tests import factories as f

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def person(slug: str, code: str, **names: str) -> Person:
    return actions.create_record(Person, acting_user=None, organisation=org(slug), code=code, **names)  # type: ignore[arg-type]


def search(client: Client, q: str) -> str:
    response = client.get(reverse("search:results"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def found(demo: Programme) -> dict[str, object]:
    mirela = person("salvation-army-ro", "GS-SA-1", given_name="Mirela", family_name="Dobrescu")
    other = person("ijm-ro", "GS-IJM-1", given_name="Mirela", family_name="Dobrescu")
    case = f.open_case(
        programme=demo, organisation=org("salvation-army-ro"), person=mirela, opened=dt.date(2022, 5, 2)
    )
    household = actions.create_record(
        Household,
        acting_user=None,
        organisation=org("salvation-army-ro"),
        code="GS-H-1",
        locality="Ferentari",
    )
    return {"mirela": mirela, "other": other, "case": case, "household": household}


def test_it_finds_persons_and_cases_by_name_with_links_and_never_another_organisations(
    login: Login, found: dict[str, object]
) -> None:
    mirela, case, other = found["mirela"], found["case"], found["other"]
    assert isinstance(mirela, Person) and isinstance(case, Case) and isinstance(other, Person)
    html = search(login("caseworker.sa"), "mirela dobrescu")
    assert reverse("records:person-detail", args=[mirela.pk]) in html
    assert reverse("records:case-detail", args=[case.pk]) in html
    assert "Mirela Dobrescu" in html
    assert "GS-IJM-1" not in html and reverse("records:person-detail", args=[other.pk]) not in html


def test_it_finds_households_by_code_for_the_outreach_worker_who_sees_no_cases(
    login: Login, found: dict[str, object]
) -> None:
    household = found["household"]
    assert isinstance(household, Household)
    html = search(login("outreach.sa"), "gs-")
    assert reverse("records:household-detail", args=[household.pk]) in html and "Ferentari" in html
    assert "GS-SA-1" in html
    assert "/cases/" not in html.split("<main", 1)[1]


def test_the_header_offers_the_box_only_to_who_may_search(login: Login) -> None:
    assert 'id="global-search-q"' in login("caseworker.sa").get(reverse("home")).content.decode()
    assert 'id="global-search-q"' not in login("viewer").get(reverse("reports")).content.decode()
    assert login("viewer").get(reverse("search:results"), {"q": "a"}).status_code == 404
    assert login("volunteers.dorcas").get(reverse("search:results"), {"q": "a"}).status_code == 404


def test_showing_names_is_audited(login: Login, found: dict[str, object]) -> None:
    mirela = found["mirela"]
    assert isinstance(mirela, Person)
    before = AuditEntry.objects.filter(
        model="records.Person", object_pk=str(mirela.pk), action="view"
    ).count()
    search(login("caseworker.sa"), "Dobrescu")
    after = AuditEntry.objects.filter(model="records.Person", object_pk=str(mirela.pk), action="view").count()
    # Once as the person found, once as the person of the case found.
    assert after == before + 2


def test_a_search_costs_the_same_queries_at_10_and_at_200_persons(login: Login, demo: Programme) -> None:
    client = login("caseworker.sa")
    sa = org("salvation-army-ro")
    counts = []
    for size in (10, 200):
        start = Person.objects.filter(code__startswith="GQ-").count()
        people = [
            Person(organisation=sa, code=f"GQ-{n:04d}", given_name="Ana", family_name="GQ")
            for n in range(start, size)
        ]
        for one in people:
            one.set_derived_fields()
        Person.objects.bulk_create(people)
        Household.objects.bulk_create(
            [Household(organisation=sa, code=f"GQ-H{n:04d}", locality="X") for n in range(start, size)]
        )
        for one in Person.objects.filter(code__startswith="GQ-", cases=None)[: size // 10]:
            f.open_case(programme=demo, organisation=sa, person=one, opened=dt.date(2022, 1, 1))
        search(client, "gq")
        with CaptureQueriesContext(connection) as queries:
            search(client, "gq")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
