"""Counted rows (nextsteps/indicators/counted.py) give the engine's figures for every distinct rule: a key's
first counted row in a period is the one whose previous counted row is before the period or absent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nextsteps.indicators import counted, engine
from nextsteps.indicators.models import Indicator
from tests import factories as f
from tests.test_engine_at_scale import PERIODS, world  # noqa: F401 - the generated programme, as a fixture
from tests.test_engine_properties import (
    DAYS,
    LOCALITIES,
    PROPERTY_SETTINGS,
    World,
    day,
    visit_plans,
)
from tests.test_engine_properties import world as small_world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def figures(result: engine.IndicatorValue) -> dict[str, Any]:
    return {
        "total": result.total,
        "sex_age": {k: v for k, v in result.sex_age.items() if v},
        "by_organisation": {k: v for k, v in result.by_organisation.items() if v},
        "by_locality": {k: v for k, v in result.by_locality.items() if v},
    }


def assert_same(rule: Indicator, periods: list[tuple[dt.date, dt.date]]) -> None:
    """The rule's figures from its counted rows (and dirty keys) are the engine's query's, period by period."""
    for start, end in periods:
        kept = counted.value(rule, start, end)
        assert kept is not None, (rule.code, "its counted rows were not used")
        assert figures(kept) == figures(engine.value(rule, start, end, counted_rows=False)), (
            rule.code,
            start,
            end,
        )
        # The months of the dashboard's trend: each key in the month of its first counted record.
        assert counted.first_days(rule, start, end) is not None
        assert engine.monthly(rule, start, end) == engine.monthly(rule, start, end, counted_rows=False)


@pytest.mark.parametrize(
    "name",
    [
        "reached",
        "reached_home_bucharest",
        "reached_women_shelter",
        "households",
        "survivors_legal",
        "outcomes_women",
    ],
)
def test_counted_rows_give_the_engines_figures_on_generated_records(world, name: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _prog, rules = world
    assert any(engine.value(rules[name], *period).total for period in PERIODS)
    counted.refresh()
    assert_same(rules[name], PERIODS)


rules_drawn = st.tuples(
    st.sampled_from(
        [
            ("persons_reached", "distinct_persons"),
            ("persons_reached", "distinct_households"),
            ("visits", "distinct_households"),
        ]
    ),
    st.lists(st.sampled_from(LOCALITIES), max_size=2, unique=True),
    st.sampled_from([None, 0, 1]),
    st.lists(st.sampled_from(["female", "male", "unknown", "other"]), max_size=2, unique=True),
)
periods_drawn = st.lists(
    st.tuples(st.integers(0, DAYS - 1), st.integers(0, DAYS - 1)).map(sorted), min_size=1, max_size=4
)


@PROPERTY_SETTINGS
@given(plan=visit_plans, drawn=rules_drawn, spans=periods_drawn)
def test_counted_rows_give_the_engines_figures_for_random_records_rules_and_periods(
    small_world: World,  # noqa: F811
    plan: Any,
    drawn: Any,
    spans: list[list[int]],
) -> None:
    # Several persons on one day with different organisations and localities: the ties decide the cells.
    small_world.load_visits(plan)
    (source, measure), localities, organisation, sexes = drawn
    filters: dict[str, Any] = {}
    if localities:
        filters["locality"] = localities
    if organisation is not None:
        filters["organisation"] = [small_world.orgs[organisation].slug]
    if sexes and source == "persons_reached":
        filters["sex"] = sexes
    rule = f.indicator(small_world.prog, source, measure, filters)
    counted.refresh()
    assert_same(rule, [(day(a), day(b)) for a, b in spans])


def test_ties_on_a_first_day_go_to_the_lower_organisation_then_locality_as_in_the_engine(
    small_world: World,  # noqa: F811
) -> None:
    # Entered in the order that a tie-break by entry would get wrong: the higher organisation first, and
    # within one organisation the later locality in the alphabet first.
    later, earlier = small_world.orgs[1], small_world.orgs[0]
    assert earlier.pk < later.pk
    small_world.load_visits([(0, 3, 1, 0, 0), (0, 3, 0, 1, 1), (1, 5, 0, 1, 0), (1, 5, 0, 2, 1)])
    assert LOCALITIES[2] < LOCALITIES[1]  # Cluj before Oradea
    for source, measure in [("persons_reached", "distinct_persons"), ("visits", "distinct_households")]:
        rule = f.indicator(small_world.prog, source, measure)
        counted.refresh()
        assert_same(rule, [(day(0), day(DAYS - 1)), (day(3), day(5)), (day(4), day(5))])
    person_rule = f.indicator(small_world.prog, "persons_reached", "distinct_persons")
    result = engine.value(person_rule, day(0), day(DAYS - 1))
    assert result.by_organisation == {earlier.pk: 2}
    assert result.by_locality == {LOCALITIES[1]: 1, LOCALITIES[2]: 1}
