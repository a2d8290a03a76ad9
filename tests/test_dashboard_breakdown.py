"""Under each indicator of the dashboard, a folded breakdown by organisation and by sex and age, the same
as the report's, with the same small-number suppression for viewers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import EXTERNAL, INTERNAL, build_report

pytestmark = pytest.mark.django_db
START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)
SEED_PERIOD = {"period": "20210801-20211231"}


def page_rows(client: Client) -> dict[str, Any]:
    response = client.get(reverse("home"), SEED_PERIOD)
    assert response.status_code == 200
    return {row.indicator.code: row for p in response.context["pillars"] for row in p["rows"]}


def cells(cell_list: list[Any]) -> list[tuple[str, str]]:
    return [(cell.label, cell.text) for cell in cell_list]


def report_lines(demo: Programme, language: str, audience: str) -> dict[str, Any]:
    report = build_report(demo, START, END, language, audience=audience)
    return {line.indicator.code: line for line in report.lines}


def test_the_breakdowns_are_the_reports(login: Callable[[str], Client], demo: Programme) -> None:
    rows = page_rows(login("coordinator"))
    lines = report_lines(demo, "nl", INTERNAL)
    for code, line in lines.items():
        breakdown = rows[code].breakdown
        assert cells(breakdown.organisations) == cells(line.by_organisation), code
        assert cells(breakdown.sex_age) == cells([c for c in line.cells() if c.dimension == "sex_age"]), code
    assert any(rows[code].breakdown.sex_age for code in lines)


def test_a_viewer_sees_the_external_reports_breakdowns_with_small_numbers_withheld(
    login: Callable[[str], Client], demo: Programme
) -> None:
    rows = page_rows(login("viewer"))
    lines = report_lines(demo, "nl", EXTERNAL)
    texts = []
    for code, line in lines.items():
        breakdown = rows[code].breakdown
        assert cells(breakdown.organisations) == cells(line.by_organisation), code
        assert cells(breakdown.sex_age) == cells([c for c in line.cells() if c.dimension == "sex_age"]), code
        texts += [text for _label, text in cells(breakdown.organisations) + cells(breakdown.sex_age)]
    assert "minder dan 5" in texts


def test_the_breakdown_is_folded_under_its_indicator(login: Callable[[str], Client]) -> None:
    html = login("coordinator").get(reverse("home"), SEED_PERIOD).content.decode()
    item = html[html.index('data-code="survivors-return-legal"') :]
    item = item[: item.index("\n    </li>")]
    assert '<details class="breakdown">' in item and "<summary>Uitsplitsing</summary>" in item
    assert "<caption>Per organisatie</caption>" in item
    assert "<caption>Naar geslacht en leeftijd</caption>" in item
    assert re.search(r'<th scope="row">[^<]+</th><td>\d+</td>', item)
