"""Counted rows: the stored shape that makes a distinct count over a long period one range scan (issue 14).

For a distinct rule (a source, distinct persons or households, filters), each record it counts is kept as a
row (key, date, prev, organisation, locality), where `prev` is the date of the same key's previous counted
row in the order (date, organisation, locality, id). A key's first counted row in a period [s, e], in the
order by which the engine places a key (its first date, then the lower organisation, then locality), is
then the row dated in [s, e] whose `prev` is before s or absent: the count with its breakdowns is one range
scan and a small grouping, whatever the history, with no sort by key.

Exact whoever writes: database triggers (counted_triggers.py) record every person and household whose
rows a write may change, in the writer's transaction (on SQLite, inserts are found by watermark instead).
A report counts the keys that are not dirty from the rows and the dirty ones with the engine's own query
restricted to them, in one query; a rule not built yet, or built under another definition, or with too
many dirty keys, is counted with the engine's query alone. `refresh` rebuilds the dirty keys' rows:
reports call it before they read (key by key only, never a whole rule); bulk loads, a saved rule and the
daily command after they commit (whole rules too). The rows come from the queryset the engine counts, so
a rule needs no code of its own, and tests/test_counted_rows.py proves that they give the engine's
figures.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import CharField, F, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lag

from nextsteps import busy
from nextsteps.indicators import counted_triggers, engine
from nextsteps.indicators.models import CountedRow, CountedRule, DirtyKey, Indicator
from nextsteps.indicators.sources import SOURCES, Source
from nextsteps.records.models import Person

logger = logging.getLogger(__name__)

# Every date a record can hold: a rule's counted rows cover the whole history.
EVER = (dt.date(1, 1, 1), dt.date(9999, 12, 31))
# The sources whose tables the triggers watch (counted_triggers.MARKS).
KEPT_SOURCES = frozenset({"persons_reached", "visits", "services", "outcomes"})
# Dirty keys a report counts with the engine's query beside the rows; with more, the rule is counted with
# the engine's query alone until its rows are rebuilt.
COUNT_DIRTY_AT_MOST = 2_000
# Dirty keys rebuilt key by key; with more (a bulk load), every rule is rebuilt whole, which is faster.
REBUILD_KEYS_AT_MOST = 20_000
# PostgreSQL advisory lock that lets one refresh run at a time.
REFRESH_LOCK = 140_014
# SQLite: how long a refresh before a page reads waits for the write lock (milliseconds).
NO_WAIT_MS = 50


def kept(indicator: Indicator) -> bool:
    """Whether the indicator's counted rows are kept: a distinct count of a watched source."""
    if not indicator.is_distinct or indicator.source not in KEPT_SOURCES:
        return False
    source = SOURCES[indicator.source]
    persons = indicator.measure == Indicator.Measure.DISTINCT_PERSONS
    return bool(source.person if persons else source.household)


def _key_path(indicator: Indicator) -> str:
    if not indicator.is_distinct:
        raise ValueError(f"{indicator.code}: counted rows are for distinct persons or households only")
    return engine.key_path(indicator, SOURCES[indicator.source])


def kind(indicator: Indicator) -> str:
    return "p" if indicator.measure == Indicator.Measure.DISTINCT_PERSONS else "h"


def signature(indicator: Indicator) -> str:
    """The rule and the source's paths as they are now: rows built under anything else are not used."""
    source = SOURCES[indicator.source]
    return json.dumps(
        {
            "programme": indicator.pillar.programme_id,
            "source": indicator.source,
            "measure": indicator.measure,
            "filters": indicator.filters or {},
            "paths": [
                source.date,
                source.programme,
                source.organisation,
                source.locality,
                _key_path(indicator),
            ],
            "filter_paths": {name: repr(f) for name, f in sorted(source.filters.items())},
        },
        sort_keys=True,
        default=str,
    )


def _rows_sql(indicator: Indicator, *, dirty_only: bool) -> tuple[str, list[Any]]:
    """The rule's counted rows (k, d, p, o, l) from the queryset the engine counts (same source, programme
    and filters), `prev` by one LAG() window; with dirty_only, those of the rule's dirty keys only (a window
    per key, so restricting keys changes no row)."""
    source: Source = SOURCES[indicator.source]
    key_path = _key_path(indicator)
    qs = source.queryset(indicator.pillar.programme_id, *EVER, indicator.filters or {}).filter(
        **{f"{key_path}__isnull": False}
    )
    if dirty_only:
        dirty_keys = RawSQL(f"SELECT dk.k FROM ({_dirty(qs.db)}) dk WHERE dk.kind = %s", [kind(indicator)])
        qs = qs.filter(**{f"{key_path}__in": dirty_keys})
    order = [F(source.date).asc(), F(source.organisation).asc()]
    if source.locality:
        order.append(F(source.locality).asc())
    rows = qs.values(
        k=F(key_path),
        d=F(source.date),
        p=Window(Lag(source.date), partition_by=[F(key_path)], order_by=[*order, F("pk").asc()]),
        o=F(source.organisation),
        l=F(source.locality) if source.locality else Value("", output_field=CharField()),
    ).order_by()
    sql, params = rows.query.get_compiler(using=qs.db).as_sql()
    return sql, list(params)


ROWS = CountedRow._meta.db_table
DIRTY = DirtyKey._meta.db_table


def _dirty(using: str) -> str:
    """SQL of every dirty (kind, k), for a subquery: the triggers' marks and, on SQLite, the keys of rows
    inserted since the last refresh (counted_triggers.new_rows_sql)."""
    return counted_triggers.dirty_sql(connections[using].vendor)


def _insert_rows(cursor: Any, indicator: Indicator, rule: CountedRule, *, dirty_only: bool) -> None:
    sql, params = _rows_sql(indicator, dirty_only=dirty_only)
    cursor.execute(
        f'INSERT INTO "{ROWS}" ("rule_id", "k", "d", "p", "o", "l") '
        f'SELECT %s, r."k", r."d", r."p", r."o", r."l" FROM ({sql}) r',
        [rule.pk, *params],
    )


def _build(cursor: Any, indicator: Indicator, rule: CountedRule | None, *, emptied: bool = False) -> None:
    """The rule's rows, whole (`emptied`: the table holds no row of it already)."""
    if rule is None:
        rule = CountedRule.objects.create(indicator=indicator, signature="", kind=kind(indicator))
    elif not emptied:
        cursor.execute(f'DELETE FROM "{ROWS}" WHERE "rule_id" = %s', [rule.pk])
    _insert_rows(cursor, indicator, rule, dirty_only=False)
    CountedRule.objects.filter(pk=rule.pk).update(signature=signature(indicator), kind=kind(indicator))


def _rebuild_dirty(cursor: Any, indicator: Indicator, rule: CountedRule) -> None:
    """The rows of the rule's dirty keys, again: two statements whatever the number of keys."""
    cursor.execute(
        f'DELETE FROM "{ROWS}" WHERE "rule_id" = %s AND "k" IN '
        f"(SELECT dk.k FROM ({_dirty(cursor.db.alias)}) dk WHERE dk.kind = %s)",
        [rule.pk, rule.kind],
    )
    _insert_rows(cursor, indicator, rule, dirty_only=True)


def _forget(cursor: Any, rule: CountedRule) -> None:
    cursor.execute(f'DELETE FROM "{ROWS}" WHERE "rule_id" = %s', [rule.pk])
    CountedRule.objects.filter(pk=rule.pk).delete()


@contextmanager
def _one_at_a_time(using: str, *, wait: bool) -> Iterator[bool]:
    """Refreshes run one at a time: SQLite's write lock (transactions begin IMMEDIATE), and on PostgreSQL a
    session lock taken before the transaction, so that its snapshot is taken after. Yields whether this one
    may run: without `wait` (before a page reads) it does not queue behind a whole rebuild or an import,
    which can hold the lock for seconds; the page counts with the engine's queries instead."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        if wait:
            yield True
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            before = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA busy_timeout = {NO_WAIT_MS}")
        try:
            yield True
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(before)}")
        return
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s)", [REFRESH_LOCK])
            locked = True
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [REFRESH_LOCK])
            locked = bool(cursor.fetchone()[0])
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK])


def _dirt(cursor: Any) -> tuple[int, bool]:
    """How many keys are dirty (counted up to one more than are rebuilt key by key), and whether "*" is."""
    cursor.execute(
        f'SELECT COUNT(*), COALESCE(MAX(CASE WHEN "kind" = %s THEN 1 ELSE 0 END), 0) '
        f"FROM (SELECT dk.kind FROM ({_dirty(cursor.db.alias)}) dk LIMIT %s) t",
        ["*", REBUILD_KEYS_AT_MOST + 1],
    )
    n, star = cursor.fetchone()
    return int(n), bool(star)


def dirty_keys(*, using: str = DEFAULT_DB_ALIAS) -> set[tuple[str, int]]:
    """Every dirty (kind, key), once each: for tests and for looking into a slow report."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT dk.kind, dk.k FROM ({_dirty(using)}) dk")
        return {(str(kind_), int(k)) for kind_, k in cursor.fetchall()}


def kept_indicators() -> list[Indicator]:
    candidates = Indicator.objects.filter(
        source__in=KEPT_SOURCES,
        measure__in=[Indicator.Measure.DISTINCT_PERSONS, Indicator.Measure.DISTINCT_HOUSEHOLDS],
    ).select_related("pillar")
    return [indicator for indicator in candidates if kept(indicator)]


def refresh(*, using: str = DEFAULT_DB_ALIAS, whole: bool = True) -> None:
    """Bring the kept rules' rows up to date in one transaction (a report sees the rows before or after,
    never between), and clear the dirty keys read.

    whole=True (bulk loads, the command, a changed rule): build the rules that are new or changed, forget
    those no longer kept, and rebuild every rule whole after more than REBUILD_KEYS_AT_MOST dirty keys or a
    renamed code, which is faster than key by key. whole=False (before a report reads): only the dirty keys'
    rows, and only when there are at most REBUILD_KEYS_AT_MOST of them and no renamed code, so that a page
    never holds the write lock for a whole rebuild; rules left unbuilt are counted with the engine's query.
    Inside a caller's transaction it runs in it (a bulk load's, a test's)."""
    connection = connections[using]
    if connection.in_atomic_block:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            _refresh(cursor, whole=whole)
        return
    with _one_at_a_time(using, wait=whole) as may_run:
        if not may_run:
            return
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One snapshot for the whole refresh: the dirty keys cleared at the end are exactly those
                # whose writes the rebuilt rows saw; keys marked by writes committed since stay dirty.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            _refresh(cursor, whole=whole)


def _refresh(cursor: Any, *, whole: bool) -> None:
    n, star = _dirt(cursor)
    everything = star or n > REBUILD_KEYS_AT_MOST
    if everything and not whole:
        return
    rules = {rule.indicator_id: rule for rule in CountedRule.objects.all()}
    wanted = {indicator.pk: indicator for indicator in kept_indicators()}
    emptied = whole and everything
    if emptied:
        # Every rule is rebuilt: one DELETE of the whole table, which SQLite does without visiting a row
        # (a rule's rows one by one took 16 s at a million persons).
        cursor.execute(f'DELETE FROM "{ROWS}"')
    if whole:
        for indicator_id, old in rules.items():
            if indicator_id not in wanted:
                _forget(cursor, old)
    for indicator in wanted.values():
        rule = rules.get(indicator.pk)
        current = rule is not None and rule.signature == signature(indicator)
        if whole and (everything or not current):
            _build(cursor, indicator, rule, emptied=emptied)
        elif current and n:
            assert rule is not None
            _rebuild_dirty(cursor, indicator, rule)
        # Otherwise (not whole, the rule new or changed) its rows wait for a whole refresh; until then the
        # engine counts it with its own query, and the dirty keys cleared below are in that build anyway.
    if n:
        cursor.execute(f'DELETE FROM "{DIRTY}"')
    if cursor.db.vendor == "sqlite":
        for sql in counted_triggers.watermark_statements():
            cursor.execute(sql)


def dirty(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether any key is dirty: one query, so that a report refreshes only when there is something to do."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM ({_dirty(using)}) dk LIMIT 1")
        return cursor.fetchone() is not None


def _state(cursor: Any, indicator: Indicator) -> tuple[int, list[int]] | None:
    """The rule's id and dirty keys, if its rows can be used: built under its definition as it is now,
    no renamed code, and at most COUNT_DIRTY_AT_MOST dirty keys of its kind. One query."""
    rule_kind = kind(indicator)
    cursor.execute(
        f'SELECT r."id", r."signature", d."kind", d."k" FROM "{CountedRule._meta.db_table}" r '
        f'LEFT JOIN ({_dirty(cursor.db.alias)}) d ON d."kind" IN (%s, %s) WHERE r."indicator_id" = %s LIMIT %s',
        [rule_kind, "*", indicator.pk, COUNT_DIRTY_AT_MOST + 1],
    )
    found = cursor.fetchall()
    if not found or found[0][1] != signature(indicator) or len(found) > COUNT_DIRTY_AT_MOST:
        return None
    if any(row[2] == "*" for row in found):
        return None
    return found[0][0], sorted({row[3] for row in found if row[2] == rule_kind})


def _firsts(rule_id: int, start: dt.date, end: dt.date, dirty: list[int]) -> tuple[str, list[Any]]:
    """WHERE of the rule's rows that are their key's first in start..end, dirty keys left out."""
    where = 'c."rule_id" = %s AND c."d" >= %s AND c."d" <= %s AND (c."p" IS NULL OR c."p" < %s)'
    params: list[Any] = [rule_id, start, end, start]
    if dirty:
        where += f' AND c."k" NOT IN ({", ".join(["%s"] * len(dirty))})'
        params += dirty
    return where, params


def _counted(
    indicator: Indicator,
    start: dt.date,
    end: dt.date,
    select: Callable[[str], str],
    dirty_sql: Callable[[Source, Any], tuple[str, Any]],
) -> list[tuple[Any, ...]] | None:
    """Rows of `select` (given the WHERE of the rule's first rows in the period) over the clean keys, and
    of the engine's query `dirty_sql` over the dirty ones, in one query; None when the rows cannot be used."""
    if not kept(indicator):
        return None
    source = SOURCES[indicator.source]
    with connections[source.model._default_manager.db].cursor() as cursor:
        state = _state(cursor, indicator)
        if state is None:
            return None
        rule_id, dirty = state
        where, params = _firsts(rule_id, start, end, dirty)
        sql = select(where)
        if dirty:
            qs = source.queryset(indicator.pillar.programme_id, start, end, indicator.filters or {})
            more_sql, more_params = dirty_sql(source, qs.filter(**{f"{_key_path(indicator)}__in": dirty}))
            sql = f"{sql} UNION ALL {more_sql}"
            params += list(more_params)
        cursor.execute(sql, params)
        return cursor.fetchall()


def value(indicator: Indicator, start: dt.date, end: dt.date) -> Any:
    """The rule's value over start..end from its counted rows and its dirty keys, as the engine's own query
    gives it; None when the rule's rows cannot be used (the engine then counts it the usual way)."""

    def select(where: str) -> str:
        if kind(indicator) == "h":
            return f'SELECT c."o", c."l", \'\', \'\', COUNT(*) FROM "{ROWS}" c WHERE {where} GROUP BY 1, 2'
        return (
            'SELECT c."o", c."l", person."sex", CASE WHEN person."adult_on" IS NULL THEN \'unknown\' '
            "WHEN c.\"d\" >= person.\"adult_on\" THEN 'adult' ELSE 'child' END, COUNT(*) "
            f'FROM "{ROWS}" c JOIN "{Person._meta.db_table}" person ON person."id" = c."k" '
            f"WHERE {where} GROUP BY 1, 2, 3, 4"
        )

    rows = _counted(
        indicator, start, end, select, lambda source, qs: engine.distinct_sql(indicator, source, qs)
    )
    return None if rows is None else engine.distinct_value(indicator, rows)


def first_days(indicator: Indicator, start: dt.date, end: dt.date) -> list[tuple[Any, ...]] | None:
    """How many keys have their first counted record in start..end on each day (rows of day, count, a day
    possibly twice), as engine.monthly counts them; None when the rule's rows cannot be used."""
    return _counted(
        indicator,
        start,
        end,
        lambda where: f'SELECT c."d", COUNT(*) FROM "{ROWS}" c WHERE {where} GROUP BY c."d"',
        lambda source, qs: engine.first_days_sql(indicator, source, qs),
    )


def refresh_quietly(*, using: str = DEFAULT_DB_ALIAS, whole: bool = True) -> None:
    """refresh(), after a bulk load (whole) or before a report reads (whole=False, and only when a key is
    dirty). Its failure (a busy database) costs only speed: figures are exact without it."""
    try:
        if whole or dirty(using=using):
            refresh(using=using, whole=whole)
    except Exception as error:
        if busy.is_busy(error):
            logger.info("Counted rows not refreshed: another writer holds the database.")
        else:
            logger.exception("Counted rows could not be refreshed; reports count with the engine's queries.")
