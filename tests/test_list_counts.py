"""A record list counts the records of the reader's own organisations and those shared with them apart, each
from its own index, and adds them up in one query: the count is the list's, shares included, never more."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.accounts import access
from nextsteps.accounts.models import Membership, Role, User
from nextsteps.pagination import CappedPaginator
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db


def listed_count(client: Client, kind: str, **params: str) -> tuple[int, list[int]]:
    response = client.get(reverse(f"records:{kind}-list"), params)
    assert response.status_code == 200
    return response.context["page"].paginator.count, [obj.pk for obj, _cells, _a in response.context["rows"]]


@pytest.mark.parametrize("kind", ["person", "case", "service"])
def test_the_count_includes_what_is_shared_and_equals_the_list(
    kind: str, login: Callable[[str], Client]
) -> None:
    client = login("caseworker.sa")
    user = User.objects.get(username="caseworker.sa")
    before = access.scoped(user, kind).count()
    case = factories.an_ijm_case_shared_with_the_salvation_army()
    everything = access.scoped(user, kind)
    assert everything.count() > before or not case.services.exists()
    count, _rows = listed_count(client, kind)
    assert count == min(everything.count(), 10_000)
    # Narrowed to the shared person's code: the shared records alone, counted once.
    count, rows = listed_count(client, kind, q=case.person.code)
    assert count == len(rows) and set(rows) <= set(everything.values_list("pk", flat=True))
    if kind == "person":
        assert rows == [case.person_id]


@pytest.mark.parametrize("kind", ["person", "case", "service"])
def test_a_record_both_own_and_shared_is_counted_once(kind: str, login: Callable[[str], Client]) -> None:
    # A caseworker of both organisations reads the IJM case as IJM's and as shared with the Salvation Army.
    user = User.objects.get(username="caseworker.sa")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="ijm-ro"), role=Role.CASEWORKER
    )
    case = factories.an_ijm_case_shared_with_the_salvation_army()
    count, rows = listed_count(login("caseworker.sa"), kind, q=case.person.code)
    assert rows and count == len(rows) == access.scoped(user, kind).filter(pk__in=rows).count()


def test_a_list_with_shares_is_counted_in_one_query(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    client.get(reverse("records:person-list"))
    with CaptureQueriesContext(connection) as without:
        client.get(reverse("records:person-list"))
    factories.an_ijm_case_shared_with_the_salvation_army()
    with CaptureQueriesContext(connection) as shared:
        client.get(reverse("records:person-list"))
    counts = [q["sql"] for q in shared if "COUNT(" in q["sql"].upper() and "records_person" in q["sql"]]
    assert len(counts) == 1 and len(shared) == len(without)


def test_the_parts_are_capped_each_and_say_there_is_more() -> None:
    persons = m.Person.objects.all()
    total = persons.count()
    parts = [persons.filter(pk__lte=10), persons.filter(pk__gt=10)]
    paginator = CappedPaginator(persons, 25, total, parts=parts)
    assert paginator.count == total and not paginator.more
    capped = CappedPaginator(persons, 25, total - 1, parts=parts)
    assert capped.count == total - 1 and capped.more
    nothing = CappedPaginator(persons.none(), 25, 100, parts=[persons.filter(pk__in=[]), persons.none()])
    assert nothing.count == 0 and not nothing.more
