"""The dashboard: each pillar's indicators against target for a chosen period, in the user's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.indicators import counted
from nextsteps.indicators.models import Indicator

pytestmark = pytest.mark.django_db
SEED_PERIOD = {"period": "20210801-20211231"}
CODE = "survivors-return-legal"


def test_it_shows_the_seed_periods_figures_against_targets(login: Callable[[str], Client]) -> None:
    response = login("viewer").get(reverse("home"), SEED_PERIOD)
    rows = {row.indicator.code: row for p in response.context["pillars"] for row in p["rows"]}
    assert rows["survivors-return-legal"].actual == "13"
    assert rows["survivors-return-legal"].status == "exceeded"
    assert rows["families-visited"].status == "met"
    html = response.content.decode()
    assert "<svg" in html and "http" not in html.split("<body", 1)[1].replace("http-equiv", "")


def test_it_defaults_to_the_programme_year_of_the_latest_records(login: Callable[[str], Client]) -> None:
    response = login("coordinator").get(reverse("home"))
    today = dt.date.today()
    # The demo programme started on 1 August 2021: its years start on 1 August. Its records end long
    # before today, so it opens on the whole year that holds the latest of them
    # (tests/test_dashboard_default_period.py).
    start, end = response.context["form"].chosen_period()
    assert (start.month, start.day) == (8, 1) and end == dt.date(start.year + 1, 7, 31) < today
    assert start.year >= 2021


def test_it_speaks_the_users_language(login: Callable[[str], Client]) -> None:
    assert "Pijler 1" in login("viewer").get(reverse("home")).content.decode()  # viewer chose Dutch
    assert "Pilonul 1" in login("caseworker.sa").get(reverse("home")).content.decode()


def test_its_query_count_does_not_depend_on_the_records(login: Callable[[str], Client]) -> None:
    client = login("coordinator")

    def queries(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home"), params).status_code == 200
        return len(ctx.captured_queries)

    # A first request renews the session's idle timeout (a write at most once a minute): not measured.
    queries({"period": "custom", "date_from": "2031-01-01", "date_to": "2031-12-31"})
    busy = queries(SEED_PERIOD)
    empty = queries({"period": "custom", "date_from": "2030-01-01", "date_to": "2030-12-31"})
    assert busy == empty
    # Two per indicator (its figures and its months), two more per distinct rule with counted rows (its
    # rows' state and dirty keys, for each: nextsteps/indicators/counted.py), plus a fixed few (session, user, second
    # factor, memberships…, the organisations, the live cache's read and store of the figures and of the
    # page's indicators fragment: nextsteps/reports/livecache.py, and the period it opens on: periods.py).
    kept = sum(counted.kept(i) for i in Indicator.objects.filter(pillar__programme__slug="next-steps"))
    assert kept
    assert busy <= 2 * 13 + 2 * kept + 27


def test_a_custom_period_ending_before_it_starts_is_explained(login: Callable[[str], Client]) -> None:
    response = login("coordinator").get(
        reverse("home"), {"period": "custom", "date_from": "2021-12-01", "date_to": "2021-01-01"}
    )
    assert response.status_code == 200
    assert (
        response.context["form"].errors["date_to"] == ["De periode eindigt voordat hij begint."]
        or response.context["form"].errors
    )


def indicator_html(html: str, code: str) -> str:
    start = html.index(f'data-code="{code}"')
    return html[start : html.index("</li>", start)]


def test_an_indicator_without_a_target_shows_its_figure_and_no_empty_bar(
    login: Callable[[str], Client],
) -> None:
    # No target of the demo holds this whole period: none applies.
    params = {"period": "custom", "date_from": "2021-08-01", "date_to": "2022-07-31"}
    response = login("coordinator").get(reverse("home"), params)
    row = next(row for p in response.context["pillars"] for row in p["rows"] if row.indicator.code == CODE)
    assert not row.has_target
    html = indicator_html(response.content.decode(), CODE)
    assert f'<strong class="actual">{row.actual}</strong>' in html
    assert 'class="bar"' not in html and "bar-track" not in html


def test_an_indicator_with_a_target_shows_its_bar_and_the_targets_own_period(
    login: Callable[[str], Client],
) -> None:
    client = login("coordinator")
    html = indicator_html(client.get(reverse("home"), SEED_PERIOD).content.decode(), CODE)
    assert 'class="bar"' in html and "bar-fill" in html
    # A month of the target's period: the year's target applies in full, labelled with its own period.
    october = {"period": "custom", "date_from": "2021-10-01", "date_to": "2021-10-31"}
    html = indicator_html(client.get(reverse("home"), october).content.decode(), CODE)
    assert 'class="bar"' in html
    assert "voor augustus 2021 – december 2021" in html
