"""Which period the dashboard opens on: the latest one in which the programme's indicators count something,
so that a first look shows figures.

A programme whose indicators count something in this programme year opens on the year so far, as before.
A record dated this year that no indicator counts (a contact without a service, a case just opened) does
not move the dashboard to an empty year: the figures of the year so far are computed anyway for the page and
cached per data version (nextsteps/reports/livecache.py), so asking costs nothing more. Otherwise the
dashboard opens on the period that holds the latest record dated before this year: the reporting period a
target was set for, when one holds it, else the whole programme year. Two queries whatever the number of
records: the kinds of record the programme's indicators count, then the latest date of each kind in one
UNION of indexed maxima.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connections

from nextsteps.indicators.models import Indicator
from nextsteps.indicators.sources import SOURCES
from nextsteps.programmes.models import Programme
from nextsteps.reports import livecache


def anniversary(day: dt.date, year: int) -> dt.date:
    """The same day and month in another year; 29 February falls on the 28th in other years."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def programme_year_of(programme: Programme, day: dt.date) -> tuple[dt.date, dt.date]:
    """The whole programme year that holds `day`: from an anniversary of the programme's start to the day
    before the next one."""
    start = anniversary(programme.start_date, day.year)
    if start > day:
        start = anniversary(programme.start_date, day.year - 1)
    return start, anniversary(programme.start_date, start.year + 1) - dt.timedelta(days=1)


def latest_record_date(programme: Programme, today: dt.date) -> dt.date | None:
    """The date of the programme's latest record, up to today, among the kinds its indicators count:
    remembered until the next write (nextsteps/reports/livecache.py), so that a dashboard shown again
    reads no record."""
    key = f"latest:{programme.pk}:{today.isoformat()}"
    latest = livecache.remember(key, lambda: {"date": _latest(programme, today)})["date"]
    return dt.date.fromisoformat(latest) if latest else None


def _latest(programme: Programme, today: dt.date) -> str:
    keys = set(
        Indicator.objects.filter(pillar__programme=programme)
        .exclude(measure=Indicator.Measure.MANUAL)
        .values_list("source", flat=True)
    )
    sources = [SOURCES[key] for key in sorted(keys) if key in SOURCES]
    if not sources:
        return ""
    # Each kind's latest date as a scalar subquery that walks a date index backwards and stops at the first
    # row: a MAX() over a million persons reached read every one of them (seconds), one query either way.
    parts = []
    params: list[Any] = []
    for source in sources:
        latest = (
            source.model._default_manager.filter(
                **{source.programme: programme.pk, f"{source.date}__lte": today}
            )
            .order_by(f"-{source.date}")
            .values_list(source.date, flat=True)[:1]
        )
        sql, part_params = latest.query.get_compiler(using=latest.db).as_sql()
        parts.append(f"({sql})")
        params += part_params
    with connections[Indicator.objects.db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    dates = [str(day)[:10] for day in row if day is not None]
    return max(dates) if dates else ""


def counts_something(programme: Programme, start: dt.date, end: dt.date) -> bool:
    """Whether any of the programme's indicators has a figure other than zero over start..end: the same
    figures, under the same cache key, as the dashboard shows for that period."""
    indicators = list(Indicator.objects.filter(pillar__programme=programme).select_related("pillar"))
    snapshots, _organisations = livecache.dashboard_figures(programme, indicators, start, end)
    return any(snapshot.value.total for snapshot in snapshots.values())


def latest_with_records(
    programme: Programme, today: dt.date, reporting_periods: Sequence[tuple[dt.date, dt.date]]
) -> tuple[dt.date, dt.date]:
    """The period the dashboard opens on (see the module): this programme year so far when its indicators
    count something in it or when there is no earlier record; else the shortest reporting period holding
    the latest record dated before this year, or the programme year that holds it."""
    this_year = programme_year_of(programme, today)[0]
    latest = latest_record_date(programme, today)
    if latest is None:
        return this_year, today
    if latest >= this_year:
        if counts_something(programme, this_year, today):
            return this_year, today
        latest = latest_record_date(programme, this_year - dt.timedelta(days=1))
        if latest is None:
            return this_year, today
    holding = [(start, end) for start, end in reporting_periods if start <= latest <= end]
    if holding:
        return min(holding, key=lambda period: (period[1] - period[0], -period[0].toordinal()))
    return programme_year_of(programme, latest)
