"""Counted rows: the data shape evaluated for distinct counts over long periods (issue 14). Not used by the
engine yet: a rule's counted rows are only right if every write keeps them right, and that maintenance is
still to be built (docs/performance.md, "The report, second step"). The benchmark and the property tests
use it to measure the shape and to prove that it gives the engine's figures.

For a distinct rule (a source, distinct persons or households, filters), each counted record becomes a row
(key, date, prev, organisation, locality), where `prev` is the date of the same key's previous counted row
in the order (date, organisation, locality, id). A key's first counted row in a period [s, e], in the
order by which the engine places a key (its first date, then the lower organisation, then locality), is
then the row dated in [s, e] whose `prev` is before s or absent: so the count with its breakdowns is one
range scan and a small grouping, whatever the history, with no sort by key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections
from django.db.models import CharField, F, Value, Window
from django.db.models.functions import Lag

from nextsteps.indicators.engine import IndicatorValue, distinct_value
from nextsteps.indicators.models import Indicator
from nextsteps.indicators.sources import SOURCES
from nextsteps.records.models import Person

# Every date a record can hold: a rule's counted rows cover the whole history.
EVER = (dt.date(1, 1, 1), dt.date(9999, 12, 31))


def _key_path(indicator: Indicator) -> str:
    source = SOURCES[indicator.source]
    path = source.person if indicator.measure == Indicator.Measure.DISTINCT_PERSONS else source.household
    if not indicator.is_distinct or not path:
        raise ValueError(f"{indicator.code}: counted rows are for distinct persons or households only")
    return path


def build(indicator: Indicator, table: str) -> None:
    """A temporary table `table` with the rule's counted rows (k, d, p, o, l), indexed for a period's scan.

    The rows come from the queryset the engine counts (same source, programme and filters), so a rule
    needs no code of its own; `prev` is one LAG() window over them.
    """
    source = SOURCES[indicator.source]
    key_path = _key_path(indicator)
    qs = source.queryset(indicator.pillar.programme_id, *EVER, indicator.filters or {}).filter(
        **{f"{key_path}__isnull": False}
    )
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
    with connections[qs.db].cursor() as cursor:
        cursor.execute(f'CREATE TEMPORARY TABLE "{table}" AS {sql}', params)
        cursor.execute(f'CREATE INDEX "{table}_period" ON "{table}" ("d", "p", "o", "l", "k")')


def drop(indicator: Indicator, table: str) -> None:
    with connections[SOURCES[indicator.source].model._default_manager.db].cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{table}"')


def value(indicator: Indicator, table: str, start: dt.date, end: dt.date) -> IndicatorValue:
    """The rule's value over start..end from its counted rows in `table` (see build): the engine's."""
    _key_path(indicator)
    where = '"d" >= %s AND "d" <= %s AND ("p" IS NULL OR "p" < %s)'
    params: list[Any] = [start, end, start]
    if indicator.measure == Indicator.Measure.DISTINCT_PERSONS:
        sql = (
            'SELECT c."o", c."l", person."sex", CASE WHEN person."adult_on" IS NULL THEN \'unknown\' '
            "WHEN c.\"d\" >= person.\"adult_on\" THEN 'adult' ELSE 'child' END, COUNT(*) "
            f'FROM "{table}" c JOIN "{Person._meta.db_table}" person ON person."id" = c."k" '
            f"WHERE {where} GROUP BY 1, 2, 3, 4"
        )
    else:
        sql = f'SELECT "o", "l", \'\', \'\', COUNT(*) FROM "{table}" WHERE {where} GROUP BY 1, 2'
    with connections[SOURCES[indicator.source].model._default_manager.db].cursor() as cursor:
        cursor.execute(sql, params)
        return distinct_value(indicator, cursor.fetchall())
