"""The dashboard's monthly trend per indicator: the counting engine's figures per month, drawn as a small
SVG bar chart and written out in words for screen readers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator, ManualValue
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.reports.builder import fmt_number
from tests import factories as f

pytestmark = pytest.mark.django_db
START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)
SEED_PERIOD = {"period": "20210801-20211231"}


def month_ends() -> list[tuple[dt.date, dt.date]]:
    months = engine.months(START, END)
    return [(m, (m + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)) for m in months]


def indicator(demo: Programme, code: str) -> Indicator:
    return Indicator.objects.select_related("pillar").get(pillar__programme=demo, code=code)


@pytest.mark.parametrize("code", ["volunteers-signed-up", "christmas-gifts", "prevention-reach"])
def test_records_and_sums_per_month_are_the_engines_figures_of_each_month(demo: Programme, code: str) -> None:
    ind = indicator(demo, code)
    monthly = engine.monthly(ind, START, END)
    assert monthly == {m: engine.value(ind, m, last).total for m, last in month_ends()}
    assert sum(monthly.values()) == engine.value(ind, START, END).total


@pytest.mark.parametrize("code", ["survivors-return-legal", "families-visited"])
def test_people_per_month_are_those_new_in_that_month_and_add_up_to_the_period(
    demo: Programme, code: str
) -> None:
    ind = indicator(demo, code)
    monthly = engine.monthly(ind, START, END)
    assert monthly is not None
    for m, last in month_ends():
        before = engine.value(ind, START, m - dt.timedelta(days=1)).total if m > START else 0
        assert monthly[m] == engine.value(ind, START, last).total - before
    assert sum(monthly.values()) == engine.value(ind, START, END).total
    assert any(monthly.values())


def test_the_months_cost_a_fixed_number_of_queries_whatever_their_number(demo: Programme) -> None:
    # Two for a distinct rule with counted rows (their state, then the months: indicators/counted.py),
    # one for any other; the same for a month as for a year.
    for code, queries in [("survivors-return-legal", 2), ("prevention-activities", 1)]:
        ind = indicator(demo, code)
        for start, end in [(START, START.replace(day=31)), (START, dt.date(2022, 7, 31))]:
            with CaptureQueriesContext(connection) as ctx:
                engine.monthly(ind, start, end)
            assert len(ctx.captured_queries) == queries, code


def rows(response: Any) -> dict[str, Any]:
    return {row.indicator.code: row for p in response.context["pillars"] for row in p["rows"]}


def test_the_page_draws_each_months_figure_and_writes_it_out(
    login: Callable[[str], Client], demo: Programme
) -> None:
    response = login("coordinator").get(reverse("home"), SEED_PERIOD)
    row = rows(response)["survivors-return-legal"]
    monthly = engine.monthly(indicator(demo, "survivors-return-legal"), START, END)
    assert monthly is not None
    assert [m.text for m in row.trend.months] == [fmt_number(n) for n in monthly.values()]
    html = response.content.decode()
    item = html[html.index('data-code="survivors-return-legal"') :]
    item = item[: item.index("</li>\n  \n")]
    svg = item[item.index('<svg class="sparkline"') :]
    svg = svg[: svg.index("</svg>")]
    assert "<title>Per maand: augustus 2021: " in svg  # the coordinator reads Dutch
    assert f'aria-label="{row.trend.description}"' in svg
    bars = re.findall(r'class="spark-bar"', svg)
    assert len(bars) == sum(1 for n in monthly.values() if n)
    # Coordinates are written with a point, whatever the reader's language.
    assert not re.search(r'(y|height)="\d+,\d', svg)
    assert '<ul class="trend-figures">' in item and "<li>december 2021: " in item
    # Each bar names its month and figure on hover; the chart's ends name the first and last month.
    assert "<title>augustus 2021: " in svg.split("spark-bar", 1)[1]
    assert re.search(r'<div class="trend-axis" aria-hidden="true"><span>\w+ 2021</span>', item)
    assert "mensen die nieuw zijn in die maand" in item


def test_a_viewer_sees_months_of_few_people_withheld(login: Callable[[str], Client]) -> None:
    row = rows(login("viewer").get(reverse("home"), SEED_PERIOD))["survivors-return-legal"]
    texts = [m.text for m in row.trend.months]
    assert "minder dan 5" in texts
    assert all(not m.height for m in row.trend.months if not m.shown)


def test_a_hand_entered_figure_has_no_trend(login: Callable[[str], Client]) -> None:
    prog = f.programme(Organisation.objects.get(slug="next-steps-nl"))
    manual = f.indicator(prog, "", Indicator.Measure.MANUAL)
    ManualValue.objects.create(indicator=manual, start=START, end=END, value=12)
    assert engine.monthly(manual, START, END) is None
    response = login("coordinator").get(
        reverse("home"),
        {"programme": prog.slug, "period": "custom", "date_from": str(START), "date_to": str(END)},
    )
    row = rows(response)[manual.code]
    assert row.actual == "12" and row.trend is None
