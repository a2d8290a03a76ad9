"""Who is due for anonymisation under a programme's retention period, and who is kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from nextsteps.privacy.erasure import erase_person
from nextsteps.privacy.retention import apply_retention, due_for_erasure, months_before
from nextsteps.programmes.models import Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from tests import factories
from tests.factories import open_case

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
LONG_AGO = dt.date(2000, 1, 1)


def closed_case(prog: Programme, who: m.Person, closed: dt.date | None, status: str = "closed") -> m.Case:
    # Unvalidated: some of these are the inconsistent rows older data holds (an open case with a closing
    # date, a closed one without), which the case's rules now refuse on every new write.
    return open_case(
        acting_user=None,
        validate=False,
        programme=prog,
        organisation=who.organisation,
        person=who,
        opened=dt.date(1999, 1, 1),
        closed=closed,
        status=status,
    )


@pytest.fixture
def world() -> dict[str, Any]:
    org = factories.organisation()
    keeping = factories.programme(org)
    retaining = factories.programme(org)
    retaining.retention_months_after_closure = 12
    retaining.save()
    return {"org": org, "prog": retaining, "keeping": keeping}


def due_codes(prog: Programme | None = None) -> set[str]:
    return {d.person.code for d in due_for_erasure(TODAY, prog)}


def person_with_case(world: dict[str, Any], closed: dt.date | None, **kwargs: Any) -> m.Person:
    who = factories.person(world["org"], born=dt.date(1980, 5, 5))
    closed_case(kwargs.pop("prog", world["prog"]), who, closed, **kwargs)
    return who


def test_a_person_whose_cases_closed_long_ago_is_due(world: dict[str, Any]) -> None:
    who = person_with_case(world, LONG_AGO)
    assert due_codes() == {who.code}
    (due,) = due_for_erasure(TODAY)
    assert (due.last_closed, due.months) == (LONG_AGO, 12)


def test_an_open_case_keeps_a_person(world: dict[str, Any]) -> None:
    who = person_with_case(world, LONG_AGO)
    closed_case(world["prog"], who, None, status="open")
    person_with_case(world, LONG_AGO, status="open")  # a closing date, but still open
    person_with_case(world, None)  # closed, but nobody wrote down when
    assert due_codes() == set()


def test_a_case_closed_within_the_period_keeps_a_person(world: dict[str, Any]) -> None:
    person_with_case(world, months_before(TODAY, 11))
    assert due_codes() == set()


def test_a_recent_record_keeps_a_person(world: dict[str, Any]) -> None:
    visited = person_with_case(world, LONG_AGO)
    factories.visit(world["prog"], world["org"], TODAY - dt.timedelta(days=40), visited)
    served = person_with_case(world, LONG_AGO)
    case = served.cases.get()
    # Unvalidated: older data can hold a record dated after its case closed, which the rules now refuse.
    actions.create_record(
        m.Outcome,
        acting_user=None,
        validate=False,
        case=case,
        outcome_type=m.OutcomeType.objects.first(),
        date=TODAY - dt.timedelta(days=3),
    )
    old_visit = person_with_case(world, LONG_AGO)
    factories.visit(world["prog"], world["org"], dt.date(2001, 1, 1), old_visit)
    assert due_codes() == {old_visit.code}


def test_a_programme_without_a_period_keeps_its_people(world: dict[str, Any]) -> None:
    person_with_case(world, LONG_AGO, prog=world["keeping"])
    both = person_with_case(world, LONG_AGO)
    closed_case(world["keeping"], both, LONG_AGO)
    assert due_codes() == set()


def test_the_longest_period_of_a_persons_programmes_applies(world: dict[str, Any]) -> None:
    slow = factories.programme(world["org"])
    slow.retention_months_after_closure = 12 * 100
    slow.save()
    who = person_with_case(world, LONG_AGO)
    closed_case(slow, who, LONG_AGO)
    assert due_codes() == set()


def test_a_programme_limits_the_people_considered(world: dict[str, Any]) -> None:
    other = factories.programme(world["org"])
    other.retention_months_after_closure = 1
    other.save()
    here = person_with_case(world, LONG_AGO)
    there = person_with_case(world, LONG_AGO, prog=other)
    assert due_codes(world["prog"]) == {here.code}
    assert due_codes() == {here.code, there.code}


def test_erased_people_are_not_due_again(world: dict[str, Any]) -> None:
    erase_person(person_with_case(world, LONG_AGO), acting_user=None)
    assert due_codes() == set()


def test_applying_erases_with_retention_as_the_reason(world: dict[str, Any]) -> None:
    who = person_with_case(world, LONG_AGO)
    (erasure,) = apply_retention(TODAY)
    assert erasure.person_id == who.pk and erasure.reason == "retention" and erasure.erased_by is None
    assert m.Person.objects.get(pk=who.pk).code.startswith("ERASED-")


def test_the_demo_keeps_everyone_its_cases_are_open(demo: Programme) -> None:
    assert due_for_erasure(TODAY) == []


def test_the_selection_costs_a_fixed_number_of_queries(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for _i in range(5):
        person_with_case(world, LONG_AGO)
    with django_assert_max_num_queries(10):
        assert len(due_for_erasure(TODAY)) == 5


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 5, 31), 3, dt.date(2024, 2, 29)),
        (dt.date(2024, 1, 15), 1, dt.date(2023, 12, 15)),
        (dt.date(2024, 3, 31), 12, dt.date(2023, 3, 31)),
        (dt.date(2024, 3, 1), 0, dt.date(2024, 3, 1)),
    ],
)
def test_months_are_counted_on_the_calendar(day: dt.date, months: int, expected: dt.date) -> None:
    assert months_before(day, months) == expected
