"""Indicators entered by hand per period: the figure counts for a range that holds its whole period.

The rule (engine._compute_manual): entries whose whole period lies inside the range are added up; an entry
that the range cuts through or lies inside is left out, because a figure for a year cannot be split into
months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nextsteps.indicators.engine import value
from nextsteps.indicators.models import Indicator, ManualValue
from nextsteps.reports.builder import build_report
from tests import factories as f

pytestmark = pytest.mark.django_db

Q1 = (dt.date(2021, 1, 1), dt.date(2021, 3, 31))
Q2 = (dt.date(2021, 4, 1), dt.date(2021, 6, 30))


@pytest.fixture
def trainings() -> Indicator:
    prog = f.programme(f.organisation())
    indicator = f.indicator(
        prog, "", "manual", unit="activities", sentence_en="{value} trainings were given."
    )
    ManualValue.objects.create(indicator=indicator, start=Q1[0], end=Q1[1], value=Decimal(12))
    ManualValue.objects.create(indicator=indicator, start=Q2[0], end=Q2[1], value=Decimal(7))
    return indicator


def test_the_value_of_the_period_it_was_entered_for(trainings: Indicator) -> None:
    result = value(trainings, *Q1)
    assert result.total == 12
    assert result.sex_age == {} and result.by_locality == {}


def test_a_range_holding_several_entries_adds_them_up(trainings: Indicator) -> None:
    assert value(trainings, dt.date(2021, 1, 1), dt.date(2021, 6, 30)).total == 19
    assert value(trainings, dt.date(2020, 1, 1), dt.date(2021, 12, 31)).total == 19


def test_a_range_inside_an_entry_leaves_it_out(trainings: Indicator) -> None:
    assert value(trainings, dt.date(2021, 2, 1), dt.date(2021, 2, 28)).total == 0


def test_a_range_cutting_through_an_entry_counts_only_the_entries_it_holds(trainings: Indicator) -> None:
    assert value(trainings, dt.date(2021, 2, 1), dt.date(2021, 6, 30)).total == 7
    assert value(trainings, dt.date(2021, 1, 1), dt.date(2021, 6, 29)).total == 12


def test_the_report_shows_the_hand_entered_figure(trainings: Indicator) -> None:
    report = build_report(trainings.pillar.programme, *Q2, "en")
    assert [line.sentence for line in report.lines] == ["7 trainings were given."]
