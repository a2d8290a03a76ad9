"""Properties every counting rule must keep, whatever the records."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nextsteps.indicators.engine import value
from nextsteps.records.models import Person, VisitPerson
from tests import factories as f

START = dt.date(2021, 1, 1)
DAYS = 120

visit_plans = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, DAYS - 1)),  # which person, which day
    min_size=0,
    max_size=25,
)
cut_points = st.lists(st.integers(1, DAYS - 1), max_size=4, unique=True).map(sorted)


def partition(cuts: list[int]) -> list[tuple[dt.date, dt.date]]:
    edges = [0, *cuts, DAYS]
    return [
        (START + dt.timedelta(days=a), START + dt.timedelta(days=b - 1)) for a, b in itertools.pairwise(edges)
    ]


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    org = f.organisation()
    prog = f.programme(org)
    people = [
        f.person(org, "female", born=dt.date(2003, 2, 1)),  # turns 18 inside the window
        f.person(org, "male", born=dt.date(1980, 5, 5)),
        f.person(org, "unknown"),
        f.person(org, "female", born=dt.date(2010, 1, 1)),
        f.person(org, "male", birth_year=2003),
        f.person(org, "other", born=dt.date(1999, 9, 9)),
    ]
    rules = {
        "records": f.indicator(prog, "persons_reached", "records"),
        "distinct": f.indicator(prog, "persons_reached", "distinct_persons"),
    }
    return org, prog, people, rules


def load(org, prog, people: list[Person], plan: list[tuple[int, int]]) -> None:  # type: ignore[no-untyped-def]
    VisitPerson.objects.filter(visit__programme=prog).delete()
    prog.visits.all().delete()
    for who, day in plan:
        f.visit(prog, org, START + dt.timedelta(days=day), people[who])


PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY_SETTINGS
@given(plan=visit_plans, cuts=cut_points)
def test_additive_rules_add_up_over_cells_and_sub_periods(world, plan, cuts) -> None:  # type: ignore[no-untyped-def]
    org, prog, people, rules = world
    load(org, prog, people, plan)
    end = START + dt.timedelta(days=DAYS - 1)
    whole = value(rules["records"], START, end)
    assert whole.total == len(plan)
    assert whole.total == sum(whole.sex_age.values())
    assert whole.total == sum(whole.by_organisation.values())
    assert whole.total == sum(value(rules["records"], a, b).total for a, b in partition(cuts))


@PROPERTY_SETTINGS
@given(plan=visit_plans, cuts=cut_points)
def test_distinct_rules_lie_between_the_largest_part_and_the_sum(world, plan, cuts) -> None:  # type: ignore[no-untyped-def]
    org, prog, people, rules = world
    load(org, prog, people, plan)
    end = START + dt.timedelta(days=DAYS - 1)
    whole = value(rules["distinct"], START, end)
    parts = [value(rules["distinct"], a, b).total for a, b in partition(cuts)]
    assert whole.total == len({who for who, _day in plan})
    assert whole.total == sum(whole.sex_age.values())
    assert max(parts, default=0) <= whole.total <= sum(parts)
