"""Compute indicator values from records for any date range.

One query per indicator, whatever the number of records: each query groups in the database by the cells
the report needs (sex, age group on the record's date, organisation, locality) and returns at most one row
per cell, or per person for distinct counts (which must be placed by their first counted record). A
distinct rule whose counted rows are kept (counted.py) is read from them instead: one more query for their
state, the same figures, and a long period costs a range scan rather than a sort of its records.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Case, CharField, Count, F, IntegerField, Min, Sum, Value, When
from django.db.models.functions import Coalesce

from nextsteps.audit.log import data_version
from nextsteps.indicators.models import Indicator, ManualValue, Target
from nextsteps.indicators.sources import SOURCES, Source
from nextsteps.records.models import Person

logger = logging.getLogger(__name__)
T = TypeVar("T")

STANDARD_CELLS = ("woman", "girl", "man", "boy")
_NAMED = {
    ("female", "adult"): "woman",
    ("female", "child"): "girl",
    ("male", "adult"): "man",
    ("male", "child"): "boy",
}


def cell_name(sex: str | None, age: str) -> str:
    """Cell of the sex × age breakdown: woman, girl, man, boy, or e.g. `unknown_adult`, `female_unknown`."""
    sex = sex if sex in {"female", "male", "other"} else "unknown"
    return _NAMED.get((sex, age), f"{sex}_{age}")


SEXES = ("female", "male", "other", "unknown")
AGE_GROUPS = ("adult", "child", "unknown")
# Every cell a sex × age breakdown can have: the names targets per cell (Target.cell) may use.
CELL_NAMES = tuple(dict.fromkeys(cell_name(sex, age) for sex in SEXES for age in AGE_GROUPS))


def has_sex_age(indicator: Indicator) -> bool:
    """Whether the indicator's value comes with a sex × age breakdown (see _compute_additive/_distinct)."""
    source = SOURCES.get(indicator.source)
    if source is None or indicator.measure in {
        Indicator.Measure.MANUAL,
        Indicator.Measure.DISTINCT_HOUSEHOLDS,
    }:
        return False
    return bool(source.person) or (
        indicator.measure == Indicator.Measure.SUM and bool(source.attendance_cells)
    )


def cell_parts(cell: str) -> tuple[str, str]:
    """The sex and age group of a cell name, the inverse of cell_name: "girl" is ("female", "child")."""
    for parts, name in _NAMED.items():
        if name == cell:
            return parts
    sex, _sep, age = cell.partition("_")
    return sex, age or "unknown"


def age_group(adult_on: dt.date | None, on: dt.date) -> str:
    if adult_on is None:
        return "unknown"
    return "adult" if on >= adult_on else "child"


@dataclass
class IndicatorValue:
    indicator: Indicator
    total: int | Decimal = 0
    # Empty when the records carry no sex or age (e.g. partner contacts).
    sex_age: dict[str, int] = field(default_factory=dict)
    by_organisation: dict[int, int | Decimal] = field(default_factory=dict)
    by_locality: dict[str, int | Decimal] = field(default_factory=dict)

    @property
    def unknown(self) -> int:
        """Everyone outside woman/girl/man/boy: unknown or other sex, or unknown age."""
        return sum(n for cell, n in self.sex_age.items() if cell not in STANDARD_CELLS)

    def placeholders(self) -> dict[str, Any]:
        cells = self.sex_age
        return {
            "value": self.total,
            "women": cells.get("woman", 0),
            "girls": cells.get("girl", 0),
            "men": cells.get("man", 0),
            "boys": cells.get("boy", 0),
            "unknown": self.unknown,
        }


def _age_case(source: Source) -> Case:
    adult_on = f"{source.person}__adult_on"
    return Case(
        When(**{f"{adult_on}__isnull": True}, then=Value("unknown")),
        When(**{f"{source.date}__gte": F(adult_on)}, then=Value("adult")),
        default=Value("child"),
        output_field=CharField(),
    )


def _group_fields(source: Source) -> dict[str, Any]:
    fields: dict[str, Any] = {"org": F(source.organisation)}
    fields["loc"] = F(source.locality) if source.locality else Value("", output_field=CharField())
    return fields


def _additive_n(indicator: Indicator, source: Source) -> Any:
    """What an additive indicator adds up per group: its quantity's sum, or the number of records."""
    if indicator.measure == Indicator.Measure.SUM:
        assert source.quantity
        return Coalesce(Sum(source.quantity), 0, output_field=IntegerField())
    return Count("pk")


def key_path(indicator: Indicator, source: Source) -> str:
    """The field a distinct count counts the distinct values of: the person, or the household."""
    persons = indicator.measure == Indicator.Measure.DISTINCT_PERSONS
    path = source.person if persons else source.household
    assert path
    return path


def _compute_additive(indicator: Indicator, source: Source, qs: Any) -> IndicatorValue:
    """Counts of records, or sums of a quantity: both add up across cells and sub-periods."""
    result = IndicatorValue(indicator)
    group = _group_fields(source)
    if source.person:
        group["sex"] = F(f"{source.person}__sex")
        group["age"] = _age_case(source)
    aggregates: dict[str, Any] = {"n": _additive_n(indicator, source)}
    if indicator.measure == Indicator.Measure.SUM:
        for cell, column in source.attendance_cells.items():
            aggregates[cell] = Coalesce(Sum(column), 0, output_field=IntegerField())
    rows = qs.values(**group).annotate(**aggregates).order_by()
    sex_age: Counter[str] = Counter()
    by_org: Counter[int] = Counter()
    by_loc: Counter[str] = Counter()
    for row in rows:
        n = row["n"]
        result.total += n
        by_org[row["org"]] += n
        by_loc[row["loc"]] += n
        if source.person:
            sex_age[cell_name(row["sex"], row["age"])] += n
        elif indicator.measure == Indicator.Measure.SUM and source.attendance_cells:
            known = 0
            for cell in source.attendance_cells:
                sex_age[cell] += row[cell]
                known += row[cell]
            sex_age["unknown_unknown"] += n - known
    if source.person or (indicator.measure == Indicator.Measure.SUM and source.attendance_cells):
        result.sex_age = _with_standard_cells(sex_age)
    result.by_organisation = dict(by_org)
    result.by_locality = dict(by_loc)
    return result


def _with_standard_cells(cells: Counter[str]) -> dict[str, int]:
    out = {cell: cells.get(cell, 0) for cell in STANDARD_CELLS}
    out.update({cell: n for cell, n in sorted(cells.items()) if cell not in STANDARD_CELLS and n})
    return out


def _compute_distinct(indicator: Indicator, source: Source, qs: Any) -> IndicatorValue:
    sql, params = distinct_sql(indicator, source, qs)
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return distinct_value(indicator, cursor.fetchall())


def distinct_sql(indicator: Indicator, source: Source, qs: Any) -> tuple[str, Any]:
    """The query of a distinct count (rows of organisation, locality, sex, age group, count):

    Distinct persons or households, each placed in a cell by their first counted record in the period.

    One query does it all in the database, so that only the cells travel back, never a row per person:
    the counted records are reduced to each key's first date per organisation and locality, a window
    picks each key's earliest of those (ties fall to the lower organisation id, then locality, so results
    never flicker), and only then is the person's sex and age looked up, once per person.
    """
    persons = indicator.measure == Indicator.Measure.DISTINCT_PERSONS
    path = key_path(indicator, source)
    # Grouping by the key first sorts fastest: it is nearly unique, so comparisons end at the first column.
    group = {"key": F(path), **_group_fields(source)}
    firsts = (
        qs.filter(**{f"{path}__isnull": False}).values(**group).annotate(first=Min(source.date)).order_by()
    )
    inner, params = firsts.query.get_compiler(using=qs.db).as_sql()
    ranked = (
        'SELECT "key", "org", "loc", "first", ROW_NUMBER() OVER '
        '(PARTITION BY "key" ORDER BY "first", "org", "loc") AS "place" '
        f"FROM ({inner}) firsts"
    )
    if persons:
        person_table = Person._meta.db_table
        sql = (
            'SELECT placed."org", placed."loc", person."sex", CASE WHEN person."adult_on" IS NULL '
            "THEN 'unknown' WHEN placed.\"first\" >= person.\"adult_on\" THEN 'adult' ELSE 'child' END, "
            f'COUNT(*) FROM ({ranked}) placed JOIN "{person_table}" person ON person."id" = placed."key" '
            'WHERE placed."place" = 1 GROUP BY 1, 2, 3, 4'
        )
    else:
        sql = f'SELECT "org", "loc", \'\', \'\', COUNT(*) FROM ({ranked}) placed WHERE "place" = 1 GROUP BY 1, 2'
    return sql, params


def distinct_value(indicator: Indicator, rows: Iterable[tuple[Any, ...]]) -> IndicatorValue:
    """A distinct count's value from its cells: rows of (organisation, locality, sex, age group, count)."""
    result = IndicatorValue(indicator)
    persons = indicator.measure == Indicator.Measure.DISTINCT_PERSONS
    sex_age: Counter[str] = Counter()
    by_org: Counter[int] = Counter()
    by_loc: Counter[str] = Counter()
    for org, loc, sex, age, n in rows:
        result.total += n
        by_org[org] += n
        by_loc[loc] += n
        if persons:
            sex_age[cell_name(sex, age)] += n
    if persons:
        result.sex_age = _with_standard_cells(sex_age)
    result.by_organisation = dict(by_org)
    result.by_locality = dict(by_loc)
    return result


def _compute_manual(indicator: Indicator, start: dt.date, end: dt.date) -> IndicatorValue:
    """The sum of the hand-entered figures whose whole period lies inside start..end.

    A figure is known only for the period it was entered for and cannot be split: 12 trainings in a year
    say nothing about March. So a range inside an entry's period, or cutting through it, leaves that entry
    out (a month of a yearly figure is 0 from it), and a range holding several entries adds them up.
    """
    total = ManualValue.objects.filter(indicator=indicator, start__gte=start, end__lte=end).aggregate(
        total=Coalesce(Sum("value"), Decimal(0))
    )["total"]
    return IndicatorValue(indicator, total=total)


def value(indicator: Indicator, start: dt.date, end: dt.date, *, counted_rows: bool = True) -> IndicatorValue:
    """The indicator's value over start..end, both days included, with its breakdowns. A distinct count
    comes from the rule's counted rows where they are kept (counted.py: the same figures, faster over long
    periods); counted_rows=False always runs the query below, which the counted rows are checked against."""
    if indicator.measure == Indicator.Measure.MANUAL:
        return _compute_manual(indicator, start, end)
    if counted_rows and indicator.is_distinct:
        from nextsteps.indicators import counted  # it builds on this module

        kept = counted.value(indicator, start, end)
        if kept is not None:
            return kept
    source = SOURCES[indicator.source]
    programme_id = indicator.pillar.programme_id
    qs = source.queryset(programme_id, start, end, indicator.filters or {})
    if indicator.is_distinct:
        return _compute_distinct(indicator, source, qs)
    return _compute_additive(indicator, source, qs)


def values(indicators: Iterable[Indicator], start: dt.date, end: dt.date) -> list[IndicatorValue]:
    """Every indicator's value over start..end, from one state of the records (see each)."""
    return each(indicators, lambda indicator: value(indicator, start, end))


@contextmanager
def _snapshot(connection: Any) -> Iterator[None]:
    """A read-only transaction of our own, so that every query of a report sees the same records.

    Not Django's atomic(): on SQLite it begins IMMEDIATE (settings), which would hold the write lock for the
    whole report; a DEFERRED read transaction takes no lock in write-ahead-log mode and sees the file as it
    was at its first read. On PostgreSQL, REPEATABLE READ gives the transaction one snapshot. (A larger
    `SET LOCAL work_mem` here kept PostgreSQL's sorts in memory at a million persons but saved no time:
    docs/performance.md.)
    """
    if connection.vendor == "postgresql":
        begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    elif connection.vendor == "sqlite":
        begin = "BEGIN DEFERRED"
    else:  # pragma: no cover - the project supports SQLite and PostgreSQL only
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(begin)
    try:
        yield
    except BaseException:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")
        raise
    with connection.cursor() as cursor:
        cursor.execute("COMMIT")


def each(indicators: Iterable[Indicator], compute: Callable[[Indicator], T]) -> list[T]:
    """compute(indicator) for every indicator, in order, as from one consistent state of the records.

    Outside a transaction, the work is shared by up to NEXTSTEPS_REPORT_THREADS connections, one thread
    each: SQLite releases the GIL while a query runs, so the indicators' queries use several cores
    (settings: 2 on SQLite; 1 on PostgreSQL, which already spreads a costly query over parallel workers,
    so that a second connection saved nothing there: docs/performance.md). Each connection reads in a
    transaction of its own (_snapshot), and a helper's results are used only when its snapshot shows the
    same data version as the main one: every write moves the version on in its own transaction
    (audit.log), so two snapshots with the same version hold the same records, and the report is as if
    read from one snapshot. Otherwise (a write committed in between) the main connection computes
    everything itself. Inside a caller's transaction one connection computes everything, as before: the
    caller's uncommitted writes are visible on its connection only.
    """
    chosen = list(indicators)
    connection = connections[DEFAULT_DB_ALIAS]
    if (
        connection.in_atomic_block
        or connection.vendor not in {"sqlite", "postgresql"}
        or not connection.get_autocommit()
    ):
        return [compute(indicator) for indicator in chosen]
    from nextsteps.indicators import counted

    # Before the snapshot: the rows of keys changed since the last report are rebuilt (a few statements),
    # so the report reads them from the counted rows rather than with the slower query.
    counted.refresh_quietly(whole=False)
    threads = min(settings.NEXTSTEPS_REPORT_THREADS, len(chosen))
    if threads < 2:
        with _snapshot(connection):
            return [compute(indicator) for indicator in chosen]
    # Distinct counts first: they are the costly ones, and starting them early balances the threads.
    pending = deque(sorted(range(len(chosen)), key=lambda k: not chosen[k].is_distinct))
    lock = threading.Lock()
    done: dict[int, T] = {}

    def work() -> None:
        while True:
            with lock:
                if not pending:
                    return
                k = pending.popleft()
            done[k] = compute(chosen[k])

    def helper(version: int) -> None:
        own = connections[DEFAULT_DB_ALIAS]  # this thread's own connection
        try:
            with _snapshot(own):
                if data_version() == version:
                    work()
        except Exception:
            # The main thread computes whatever is missing, and raises if it fails there too.
            logger.exception("A report helper thread failed; its indicators are computed again.")
        finally:
            own.close()

    with _snapshot(connection):
        version = data_version()
        helpers = [threading.Thread(target=helper, args=(version,)) for _ in range(threads - 1)]
        for thread in helpers:
            thread.start()
        try:
            work()
        finally:
            with lock:  # if the main thread failed, the helpers stop after their current indicator
                pending.clear()
            for thread in helpers:
                thread.join()
        return [done[k] if k in done else compute(chosen[k]) for k in range(len(chosen))]


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each calendar month that start..end touches."""
    out, month = [], start.replace(day=1)
    while month <= end:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def _as_date(day: Any) -> dt.date:
    # A raw cursor gives SQLite's dates as text, PostgreSQL's as dates.
    return day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])


def first_days_sql(indicator: Indicator, source: Source, qs: Any) -> tuple[str, Any]:
    """The query of a distinct count's keys per first day in the period: rows of (day, count)."""
    path = key_path(indicator, source)
    firsts = (
        qs.filter(**{f"{path}__isnull": False})
        .values(key=F(path))
        .annotate(first=Min(source.date))
        .order_by()
    )
    inner, params = firsts.query.get_compiler(using=qs.db).as_sql()
    return f'SELECT "first", COUNT(*) FROM ({inner}) firsts GROUP BY "first"', params


def monthly(
    indicator: Indicator, start: dt.date, end: dt.date, *, counted_rows: bool = True
) -> dict[dt.date, int | Decimal] | None:
    """The indicator's value per calendar month of start..end (by each month's first day), in one query
    whatever the number of months or records; None for hand-entered figures, which cannot be split.

    Records and sums are those of the month, so the months add up to the period's value. Distinct persons
    and households are counted in the month of their first counted record in the period ("new in that
    month"), as the period's value places them: they add up to it too, where persons reached in each month
    would count someone seen in March and in May twice.
    """
    if indicator.measure == Indicator.Measure.MANUAL:
        return None
    source = SOURCES[indicator.source]
    qs = source.queryset(indicator.pillar.programme_id, start, end, indicator.filters or {})
    by_month: dict[dt.date, int | Decimal] = dict.fromkeys(months(start, end), 0)
    kept = None
    if counted_rows and indicator.is_distinct:
        from nextsteps.indicators import counted  # it builds on this module

        kept = counted.first_days(indicator, start, end)
    if kept is not None:
        days = kept
    elif indicator.is_distinct:
        sql, params = first_days_sql(indicator, source, qs)
        with connections[qs.db].cursor() as cursor:
            cursor.execute(sql, params)
            days = cursor.fetchall()
    else:
        n = _additive_n(indicator, source)
        days = list(qs.values(day=F(source.date)).annotate(n=n).order_by().values_list("day", "n"))
    for day, count in days:
        month = _as_date(day).replace(day=1)
        by_month[month] = by_month.get(month, 0) + count
    return by_month


# Targets and status ---------------------------------------------------------------------------------


class Status:
    EXCEEDED = "exceeded"
    MET = "met"
    BEHIND = "behind"
    # Part of a target's period has passed and the target is not reached yet: too early to say "behind".
    IN_PROGRESS = "in_progress"
    NO_TARGET = "no_target"


def status(
    actual: int | Decimal, target: Decimal | None, *, higher_is_better: bool = True, partial: bool = False
) -> str:
    """Where an actual stands against its target. `partial`: the period is only part of the target's
    period (see `targets_for`), so a target not reached yet is in progress rather than behind; a limit
    that lower-is-better indicators have already passed is behind whatever the rest of the period brings."""
    if target is None:
        return Status.NO_TARGET
    actual_d, target_d = Decimal(actual), Decimal(target)
    if actual_d == target_d:
        return Status.MET
    better = actual_d > target_d if higher_is_better else actual_d < target_d
    if better:
        return Status.EXCEEDED
    if partial and higher_is_better:
        return Status.IN_PROGRESS
    return Status.BEHIND


def percent_of_target(actual: int | Decimal, target: Decimal | None) -> Decimal | None:
    if target is None or target == 0:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("1"))


def targets_for(indicators: Iterable[Indicator], start: dt.date, end: dt.date) -> dict[int, Target]:
    """The total-level target that applies to a period, per indicator id, in one query. One rule for the
    dashboard, the report in every format, the JSON and the API (README, "How figures are computed"):

    - the target set for exactly this period; else
    - the target of the shortest period that contains this one (a year's target for a month or a quarter),
      compared IN FULL, not pro rata: distinct persons and households do not add up over the months, so a
      share of a yearly target would be a figure nobody promised. The period is then a part of the target's
      period (`Target.start`/`end` differ from the period's), which `status(..., partial=True)` reports as
      in progress until the target is reached, and every page labels with the target's own period;
    - else no target (targets overlapping the period without containing it do not apply; targets of one
      indicator never overlap each other: Target.clean).
    """
    chosen: dict[int, Target] = {}
    qs = Target.objects.filter(
        indicator_id__in=[i.pk for i in indicators], cell="", start__lte=start, end__gte=end
    )
    for t in qs:
        best = chosen.get(t.indicator_id)
        if best is None or (t.end - t.start) < (best.end - best.start):
            chosen[t.indicator_id] = t
    return chosen


def is_partial(target: Target | None, start: dt.date, end: dt.date) -> bool:
    """Whether the period is only part of the target's period (the target then applies in full)."""
    return target is not None and (target.start, target.end) != (start, end)


def cell_targets_for(
    indicators: Iterable[Indicator], start: dt.date, end: dt.date
) -> dict[int, dict[str, Target]]:
    """Targets per sex × age cell set for exactly this period, by indicator id and cell, in one query."""
    chosen: dict[int, dict[str, Target]] = {}
    for t in Target.objects.filter(
        indicator_id__in=[i.pk for i in indicators], start=start, end=end, cell__in=CELL_NAMES
    ).order_by("indicator_id", "cell"):
        chosen.setdefault(t.indicator_id, {})[t.cell] = t
    return chosen


__all__ = [
    "CELL_NAMES",
    "IndicatorValue",
    "Status",
    "cell_targets_for",
    "distinct_sql",
    "distinct_value",
    "each",
    "first_days_sql",
    "has_sex_age",
    "is_partial",
    "key_path",
    "monthly",
    "months",
    "percent_of_target",
    "status",
    "targets_for",
    "value",
    "values",
]
