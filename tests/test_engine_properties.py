"""Properties every counting rule must keep, whatever the records.

Records are spread over two organisations and three localities, so that every breakdown (sex × age,
organisation, locality) is checked against the total; rules count records, distinct persons, distinct
households, and sums of a quantity (activity attendance with its sex × age cells, distributed items).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nextsteps.indicators.engine import IndicatorValue, monthly, months, value
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records.models import (
    Activity,
    ActivityType,
    Distribution,
    Household,
    OutreachVisit,
    Person,
    SiteType,
    VisitPerson,
)
from tests import factories as f

START = dt.date(2021, 1, 1)
DAYS = 120
LOCALITIES = ["Bucharest", "Oradea", "Cluj"]

days = st.integers(0, DAYS - 1)
organisations = st.integers(0, 1)
localities = st.integers(0, len(LOCALITIES) - 1)


# Who was reached, on which day, by which organisation, where, in which household.
def one_visit_a_day(plan: list[tuple[int, int, int, int, int]]) -> list[tuple[int, int, int, int, int]]:
    """As the records allow: an organisation visits a household once a day (in one locality), and a
    person is counted once on a visit."""
    place_of: dict[tuple[int, int, int], int] = {}
    seen: set[tuple[int, int, int, int]] = set()
    kept = []
    for who, n, org, place, home in plan:
        place = place_of.setdefault((n, org, home), place)
        if (who, n, org, home) not in seen:
            seen.add((who, n, org, home))
            kept.append((who, n, org, place, home))
    return kept


visit_plans = st.lists(
    st.tuples(st.integers(0, 5), days, organisations, localities, st.integers(0, 2)), max_size=25
).map(one_visit_a_day)


@st.composite
def attendances(draw: st.DrawFn) -> tuple[int, list[int | None]]:
    """An activity's attendance and its optional women/girls/men/boys cells, never more than the total."""
    total = draw(st.integers(0, 60))
    cells: list[int | None] = []
    left = total
    for _cell in range(4):
        n = draw(st.none() | st.integers(0, left))
        cells.append(n)
        left -= n or 0
    return total, cells


activity_plans = st.lists(st.tuples(days, organisations, localities, attendances()), max_size=12)
distribution_plans = st.lists(st.tuples(days, organisations, localities, st.integers(1, 20)), max_size=12)
cut_points = st.lists(st.integers(1, DAYS - 1), max_size=4, unique=True).map(sorted)


def partition(cuts: list[int]) -> list[tuple[dt.date, dt.date]]:
    edges = [0, *cuts, DAYS]
    return [
        (START + dt.timedelta(days=a), START + dt.timedelta(days=b - 1)) for a, b in itertools.pairwise(edges)
    ]


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


END = day(DAYS - 1)


@dataclass
class World:
    orgs: list[Organisation]
    prog: Programme
    people: list[Person]
    households: list[Household]
    rules: dict[str, Indicator]

    def clear(self) -> None:
        VisitPerson.objects.filter(visit__programme=self.prog).delete()
        OutreachVisit.objects.filter(programme=self.prog).delete()
        Activity.objects.filter(programme=self.prog).delete()
        Distribution.objects.filter(programme=self.prog).delete()

    def load_visits(self, plan: list[tuple[int, int, int, int, int]]) -> None:
        # Written directly: these tests are about counting, and thousands of audited writes would be slow.
        self.clear()
        site = SiteType.objects.get(code="household")
        for who, n, org, place, home in plan:
            # An organisation visits a household once a day (the visit's rule): one visit, several persons.
            visit, _new = OutreachVisit.objects.get_or_create(
                programme=self.prog,
                organisation=self.orgs[org],
                date=day(n),
                household=self.households[home],
                defaults={"locality": LOCALITIES[place], "site_type": site},
            )
            VisitPerson.objects.get_or_create(visit=visit, person=self.people[who])

    def load_activities(self, plan: list[tuple[int, int, int, tuple[int, list[int | None]]]]) -> None:
        self.clear()
        kind = ActivityType.objects.get(code="prevention_session")
        Activity.objects.bulk_create(
            Activity(
                programme=self.prog,
                organisation=self.orgs[org],
                activity_type=kind,
                title="Session",
                date=day(n),
                locality=LOCALITIES[place],
                attendance_total=total,
                attendance_women=cells[0],
                attendance_girls=cells[1],
                attendance_men=cells[2],
                attendance_boys=cells[3],
            )
            for n, org, place, (total, cells) in plan
        )

    def load_distributions(self, plan: list[tuple[int, int, int, int]]) -> None:
        self.clear()
        Distribution.objects.bulk_create(
            Distribution(
                programme=self.prog,
                organisation=self.orgs[org],
                date=day(n),
                item="gift",
                quantity=quantity,
                locality=LOCALITIES[place],
            )
            for n, org, place, quantity in plan
        )


@pytest.fixture
def world(db: Any) -> World:
    orgs = [f.organisation(), f.organisation()]
    prog = f.programme(*orgs)
    people = [
        f.person(orgs[0], "female", born=dt.date(2003, 2, 1)),  # turns 18 inside the window
        f.person(orgs[0], "male", born=dt.date(1980, 5, 5)),
        f.person(orgs[0], "unknown"),
        f.person(orgs[1], "female", born=dt.date(2010, 1, 1)),
        f.person(orgs[1], "male", birth_year=2003),
        f.person(orgs[1], "other", born=dt.date(1999, 9, 9)),
    ]
    households = [f.household(orgs[0]), f.household(orgs[0]), f.household(orgs[1])]
    rules = {
        "records": f.indicator(prog, "persons_reached", "records"),
        "distinct": f.indicator(prog, "persons_reached", "distinct_persons"),
        "households": f.indicator(prog, "visits", "distinct_households", unit="households"),
        "attendance": f.indicator(prog, "activities", "sum"),
        "items": f.indicator(prog, "distributions", "sum", unit="items"),
    }
    return World(orgs, prog, people, households, rules)


def assert_breakdowns_add_up(result: IndicatorValue, *, sex_age: bool = True) -> None:
    assert result.total == sum(result.by_organisation.values())
    assert result.total == sum(result.by_locality.values())
    if sex_age:
        assert result.total == sum(result.sex_age.values())


PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY_SETTINGS
@given(plan=visit_plans, cuts=cut_points)
def test_additive_rules_add_up_over_cells_and_sub_periods(world: World, plan: Any, cuts: list[int]) -> None:
    world.load_visits(plan)
    whole = value(world.rules["records"], START, END)
    assert whole.total == len(plan)
    assert_breakdowns_add_up(whole)
    assert whole.by_locality == dict(Counter(LOCALITIES[place] for _w, _d, _o, place, _h in plan))
    assert whole.by_organisation == dict(Counter(world.orgs[org].pk for _w, _d, org, _p, _h in plan))
    assert whole.total == sum(value(world.rules["records"], a, b).total for a, b in partition(cuts))


@PROPERTY_SETTINGS
@given(plan=visit_plans, cuts=cut_points)
def test_distinct_rules_lie_between_the_largest_part_and_the_sum(
    world: World, plan: Any, cuts: list[int]
) -> None:
    world.load_visits(plan)
    for rule, key in (("distinct", 0), ("households", 4)):
        whole = value(world.rules[rule], START, END)
        parts = [value(world.rules[rule], a, b).total for a, b in partition(cuts)]
        assert whole.total == len({visit[key] for visit in plan}), rule
        # Each person or household is placed once, in one organisation's and one locality's cell.
        assert_breakdowns_add_up(whole, sex_age=rule == "distinct")
        assert max(parts, default=0) <= whole.total <= sum(parts), rule


@PROPERTY_SETTINGS
@given(plan=activity_plans, cuts=cut_points)
def test_attendance_sums_add_up_over_cells_and_sub_periods(world: World, plan: Any, cuts: list[int]) -> None:
    world.load_activities(plan)
    whole = value(world.rules["attendance"], START, END)
    assert whole.total == sum(total for _d, _o, _p, (total, _cells) in plan)
    assert_breakdowns_add_up(whole)
    for position, cell in enumerate(["woman", "girl", "man", "boy"]):
        assert whole.sex_age[cell] == sum(cells[position] or 0 for _d, _o, _p, (_t, cells) in plan)
    assert whole.total == sum(value(world.rules["attendance"], a, b).total for a, b in partition(cuts))


@PROPERTY_SETTINGS
@given(plan=distribution_plans, cuts=cut_points)
def test_item_sums_add_up_over_organisations_localities_and_sub_periods(
    world: World, plan: Any, cuts: list[int]
) -> None:
    world.load_distributions(plan)
    whole = value(world.rules["items"], START, END)
    assert whole.total == sum(quantity for *_where, quantity in plan)
    assert whole.sex_age == {}  # items carry no sex or age
    assert_breakdowns_add_up(whole, sex_age=False)
    assert whole.total == sum(value(world.rules["items"], a, b).total for a, b in partition(cuts))


def month_spans() -> list[tuple[dt.date, dt.date]]:
    firsts = months(START, END)
    return [
        (m, min(END, nxt - dt.timedelta(days=1)))
        for m, nxt in itertools.pairwise([*firsts, END + dt.timedelta(days=32)])
    ]


@PROPERTY_SETTINGS
@given(plan=visit_plans)
def test_monthly_values_are_each_months_records_or_the_people_new_that_month(world: World, plan: Any) -> None:
    world.load_visits(plan)
    for rule in ("records", "distinct", "households"):
        indicator = world.rules[rule]
        by_month = monthly(indicator, START, END)
        assert by_month is not None
        assert sum(by_month.values()) == value(indicator, START, END).total, rule
        for first, last in month_spans():
            if rule == "records":
                expected = value(indicator, first, last).total
            else:
                before = value(indicator, START, first - dt.timedelta(days=1)).total if first > START else 0
                expected = value(indicator, START, last).total - before
            assert by_month[first] == expected, (rule, first)


@PROPERTY_SETTINGS
@given(activities=activity_plans, distributions=distribution_plans)
def test_monthly_sums_are_each_months_sums(world: World, activities: Any, distributions: Any) -> None:
    for load, plan, rule in (
        (world.load_activities, activities, "attendance"),
        (world.load_distributions, distributions, "items"),
    ):
        load(plan)
        by_month = monthly(world.rules[rule], START, END)
        assert by_month == {
            first: value(world.rules[rule], first, last).total for first, last in month_spans()
        }
