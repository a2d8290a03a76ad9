"""Which period the dashboard opens on: the latest one that has records, so that a first look shows figures.

A programme whose records reach into this programme year opens on the year so far, as before. One whose
latest records are older (a demonstration, an archive, a programme between phases) opens on the period
that holds its latest counted record: the reporting period a target was set for, when one holds it, else
the whole programme year. Two queries whatever the number of records: the kinds of record the programme's
indicators count, then the latest date of each kind in one UNION of indexed maxima.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import F, Max

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
    # Grouped by the programme rather than aggregated, so that each part may stand in a UNION.
    parts = [
        source.model._default_manager.filter(**{source.programme: programme.pk, f"{source.date}__lte": today})
        .values(of=F(source.programme))
        .annotate(latest=Max(source.date))
        .values_list("latest", flat=True)
        .order_by()
        for source in sources
    ]
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    dates = [day for day in query if day is not None]
    return max(dates).isoformat() if dates else ""


def latest_with_records(
    programme: Programme, today: dt.date, reporting_periods: Sequence[tuple[dt.date, dt.date]]
) -> tuple[dt.date, dt.date]:
    """The period the dashboard opens on (see the module): this programme year so far when it has records
    or when there are none at all; else the shortest reporting period holding the latest record, or the
    programme year that holds it."""
    this_year = programme_year_of(programme, today)[0]
    latest = latest_record_date(programme, today)
    if latest is None or latest >= this_year:
        return this_year, today
    holding = [(start, end) for start, end in reporting_periods if start <= latest <= end]
    if holding:
        return min(holding, key=lambda period: (period[1] - period[0], -period[0].toordinal()))
    return programme_year_of(programme, latest)
