"""Counting rules: distinct counts, age on the record's date, inclusive period edges, what is left out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nextsteps.indicators.engine import value
from tests import factories as f

pytestmark = pytest.mark.django_db
AUG, DEC = dt.date(2021, 8, 1), dt.date(2021, 12, 31)


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    sa, ijm = f.organisation("Salvation Army"), f.organisation("IJM")
    return sa, ijm, f.programme(sa, ijm)


def test_it_counts_a_household_visited_every_month_once(world) -> None:  # type: ignore[no-untyped-def]
    sa, _ijm, prog = world
    homes = [f.household(sa, f.person(sa)) for _ in range(3)]
    for month in range(8, 13):
        for home in homes:
            f.visit(prog, sa, dt.date(2021, month, 10), *home.members.all(), household=home)
    families = f.indicator(prog, "visits", "distinct_households", unit="households")
    visits = f.indicator(prog, "visits", "records", unit="records")
    assert value(families, AUG, DEC).total == 3
    assert value(visits, AUG, DEC).total == 15
    monthly = [value(families, dt.date(2021, m, 1), dt.date(2021, m, 28)).total for m in range(8, 13)]
    assert monthly == [3, 3, 3, 3, 3]


def test_it_places_a_girl_turning_18_in_the_period_by_her_first_visit(world) -> None:  # type: ignore[no-untyped-def]
    sa, _ijm, prog = world
    girl = f.person(sa, "female", born=dt.date(2003, 10, 15))
    f.visit(prog, sa, dt.date(2021, 8, 20), girl)
    f.visit(prog, sa, dt.date(2021, 11, 20), girl)
    reached = f.indicator(prog, "persons_reached", "distinct_persons")
    assert value(reached, AUG, DEC).sex_age["girl"] == 1
    assert value(reached, AUG, DEC).sex_age["woman"] == 0
    # From her birthday on she counts as a woman.
    assert value(reached, dt.date(2021, 10, 15), DEC).sex_age["woman"] == 1
    # Record counts place each record by the age on its own date.
    visits = f.indicator(prog, "persons_reached", "records")
    assert value(visits, AUG, DEC).sex_age == {"woman": 1, "girl": 1, "man": 0, "boy": 0}


def test_it_counts_records_on_the_first_and_last_day_of_the_period(world) -> None:  # type: ignore[no-untyped-def]
    sa, _ijm, prog = world
    for day in (dt.date(2021, 7, 31), AUG, DEC, dt.date(2022, 1, 1)):
        f.service(prog, sa, f.person(sa), day)
    services = f.indicator(prog, "services", "records")
    assert value(services, AUG, DEC).total == 2


def test_it_leaves_out_other_programmes_and_filtered_records(world) -> None:  # type: ignore[no-untyped-def]
    sa, ijm, prog = world
    other = f.programme(sa)
    survivor = f.person(ijm, survivor_status="identified")
    f.service(prog, ijm, survivor, dt.date(2021, 9, 1))
    f.service(other, sa, f.person(sa, survivor_status="identified"), dt.date(2021, 9, 1))
    f.service(prog, sa, f.person(sa), dt.date(2021, 9, 1))  # not a survivor
    f.service(prog, sa, f.person(sa, survivor_status="presumed"), dt.date(2021, 9, 1), code="education")
    rule = f.indicator(prog, "services", "distinct_persons", {"type": ["legal_support"], "survivor": True})
    assert value(rule, AUG, DEC).total == 1
    by_org = f.indicator(prog, "services", "distinct_persons", {"organisation": [sa.slug]})
    assert value(by_org, AUG, DEC).total == 2


def test_it_keeps_people_of_unknown_sex_or_age_in_the_total(world) -> None:  # type: ignore[no-untyped-def]
    sa, _ijm, prog = world
    f.visit(
        prog,
        sa,
        dt.date(2021, 9, 1),
        f.person(sa, "unknown", born=dt.date(1990, 1, 1)),
        f.person(sa, "female"),
        f.person(sa, "male", born=dt.date(2015, 1, 1)),
        f.person(sa, "other", born=dt.date(1980, 1, 1)),
    )
    result = value(f.indicator(prog, "persons_reached", "distinct_persons"), AUG, DEC)
    assert result.total == 4
    assert result.sex_age == {
        "woman": 0,
        "girl": 0,
        "man": 0,
        "boy": 1,
        "female_unknown": 1,
        "other_adult": 1,
        "unknown_adult": 1,
    }
    assert result.unknown == 3


def test_it_takes_a_birth_year_alone_as_the_middle_of_that_year(world) -> None:  # type: ignore[no-untyped-def]
    sa, _ijm, prog = world
    teen = f.person(sa, "male", birth_year=2003)
    assert teen.adult_on == dt.date(2021, 7, 1)
    f.visit(prog, sa, dt.date(2021, 6, 30), teen)
    reached = f.indicator(prog, "persons_reached", "distinct_persons")
    assert value(reached, dt.date(2021, 6, 1), dt.date(2021, 6, 30)).sex_age["boy"] == 1
    f.visit(prog, sa, dt.date(2021, 7, 1), teen)
    assert value(reached, dt.date(2021, 7, 1), DEC).sex_age["man"] == 1


def test_it_splits_attendance_into_the_given_cells_and_unknown(world) -> None:  # type: ignore[no-untyped-def]
    from nextsteps.records.actions import create_record
    from nextsteps.records.models import Activity, ActivityType

    sa, _ijm, prog = world
    school = ActivityType.objects.get(code="school_session")
    create_record(
        Activity,
        acting_user=None,
        programme=prog,
        organisation=sa,
        activity_type=school,
        title="a",
        date=dt.date(2021, 9, 1),
        locality="Bucharest",
        attendance_total=30,
        attendance_girls=12,
        attendance_boys=10,
    )
    create_record(
        Activity,
        acting_user=None,
        programme=prog,
        organisation=sa,
        activity_type=school,
        title="b",
        date=dt.date(2021, 9, 2),
        locality="Oradea",
        attendance_total=20,
    )
    reach = value(f.indicator(prog, "activities", "sum", {"type": ["school_session"]}), AUG, DEC)
    assert reach.total == 50
    assert reach.sex_age == {"woman": 0, "girl": 12, "man": 0, "boy": 10, "unknown_unknown": 28}
    assert reach.by_locality == {"Bucharest": 30, "Oradea": 20}


def test_its_query_count_does_not_grow_with_the_records(world) -> None:  # type: ignore[no-untyped-def]
    sa, _ijm, prog = world
    rules = [
        f.indicator(prog, "persons_reached", "distinct_persons"),
        f.indicator(prog, "persons_reached", "records"),
        f.indicator(prog, "visits", "distinct_households"),
    ]

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            for rule in rules:
                value(rule, AUG, DEC)
        return len(ctx.captured_queries)

    f.visit(prog, sa, dt.date(2021, 9, 1), f.person(sa), household=f.household(sa))
    few = queries()
    for day in range(1, 25):
        f.visit(
            prog, sa, dt.date(2021, 10, day), f.person(sa), f.person(sa, "male"), household=f.household(sa)
        )
    assert queries() == few
