"""One rule decides which target applies to a period, the same on the dashboard, in the report (every
format), in the JSON and in the API: the target set for exactly the period, else the shortest target period
that contains it, compared in full and labelled with its own period; a part period that has not reached its
target yet is in progress, not behind."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator, Target
from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import build_report
from nextsteps.reports.render import render
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db

YEAR = (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
QUARTER = (dt.date(2021, 1, 1), dt.date(2021, 3, 31))


def indicator(code: str = "families-visited") -> Indicator:
    return Indicator.objects.get(pillar__programme__slug="next-steps", code=code)


def yearly_target(value: int = 1000) -> Target:
    ind = indicator()
    # The demo's own target (August to December 2021) would be the shorter one containing later periods.
    ind.targets.all().delete()
    return Target.objects.create(indicator=ind, start=YEAR[0], end=YEAR[1], target=Decimal(value))


def dashboard_row(client: Client, start: dt.date, end: dt.date) -> Any:
    response = client.get(
        reverse("home"), {"period": "custom", "date_from": start.isoformat(), "date_to": end.isoformat()}
    )
    return next(
        r for p in response.context["pillars"] for r in p["rows"] if r.indicator.code == "families-visited"
    )


def json_line(programme: Programme, start: dt.date, end: dt.date) -> dict[str, Any]:
    data = json.loads(render(build_report(programme, start, end, "en"), "json"))
    return next(i for i in data["indicators"] if i["code"] == "families-visited")


def test_a_quarter_is_measured_against_the_years_target_in_full_everywhere(
    demo: Programme, login: Callable[[str], Client], api: Callable[[str], ApiClient]
) -> None:
    yearly_target(1000)
    report = build_report(demo, *QUARTER, "en")
    line = next(li for li in report.lines if li.indicator.code == "families-visited")
    assert line.target == 1000 and line.status == engine.Status.IN_PROGRESS
    assert line.target_text == "1,000 for January 2021 – December 2021"
    row = dashboard_row(login("coordinator"), *QUARTER)
    assert row.status == engine.Status.IN_PROGRESS and row.target == line.target_text
    data = json_line(demo, *QUARTER)
    assert (data["target"], data["status"]) == (1000, "in_progress")
    assert data["target_period"] == {"start": "2021-01-01", "end": "2021-12-31"}
    response = api("coordinator").get(
        "/api/v1/programmes/next-steps/indicators",
        {"date_from": QUARTER[0], "date_to": QUARTER[1], "audience": "internal"},
    )
    assert response.status_code == 200, response.json()
    out = next(i for i in response.json()["indicators"] if i["code"] == "families-visited")
    assert (out["target"], out["status"], out["target_period"]) == (
        1000,
        "in_progress",
        {"start": "2021-01-01", "end": "2021-12-31"},
    )


def test_the_whole_target_period_is_behind_when_short_of_the_target(
    demo: Programme, login: Callable[[str], Client]
) -> None:
    yearly_target(1000)
    line = next(li for li in build_report(demo, *YEAR, "en").lines if li.indicator.code == "families-visited")
    assert (line.status, line.target_period, line.target_text) == (engine.Status.BEHIND, None, "1,000")
    assert dashboard_row(login("coordinator"), *YEAR).status == engine.Status.BEHIND


def test_a_part_period_that_already_reached_the_target_has_met_or_exceeded_it(demo: Programme) -> None:
    yearly_target(1)
    august = (dt.date(2021, 8, 1), dt.date(2021, 8, 31))
    line = next(
        li for li in build_report(demo, *august, "en").lines if li.indicator.code == "families-visited"
    )
    assert line.status == engine.Status.EXCEEDED


def test_a_period_no_target_contains_has_no_target_on_the_dashboard_and_in_the_report(
    demo: Programme, login: Callable[[str], Client]
) -> None:
    yearly_target(1000)
    across = (dt.date(2021, 12, 1), dt.date(2022, 1, 31))
    line = next(
        li for li in build_report(demo, *across, "en").lines if li.indicator.code == "families-visited"
    )
    assert (line.target, line.status) == (None, engine.Status.NO_TARGET)
    row = dashboard_row(login("coordinator"), *across)
    assert (row.has_target, row.status) == (False, engine.Status.NO_TARGET)


def test_a_limit_already_passed_in_part_of_its_period_is_behind() -> None:
    assert engine.status(12, Decimal(10), higher_is_better=False, partial=True) == engine.Status.BEHIND
    assert engine.status(3, Decimal(10), higher_is_better=True, partial=True) == engine.Status.IN_PROGRESS
    assert engine.status(3, Decimal(10), higher_is_better=True, partial=False) == engine.Status.BEHIND
