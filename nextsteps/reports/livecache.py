"""Figures cached for as long as the data they were computed from is unchanged, and not a moment longer.

The dashboard computes each indicator over a period, with its breakdowns and its value per month; at a
million persons that is seconds. Its figures are stored here under the data version they were computed at
(nextsteps.audit.log.data_version), which every write moves on inside its own transaction: the actions
layer through its audit entry, set-up edited in the admin through the signals below, bulk loads by
calling bump_data_version. A cached row is used only when its version is the current one, so a record
saved a second ago is in the next dashboard, exactly as without the cache; there is no batch and no
expiry time. The version is read before the figures are computed, so a row can only be fresher than its
version, never older.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from nextsteps.audit.log import bump_data_version, data_version, data_version_sql
from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.reports.models import CachedFigures

logger = logging.getLogger(__name__)


def _encode(total: int | Decimal) -> str:
    return str(total)


def _decode(text: str) -> int | Decimal:
    return Decimal(text) if "." in text else int(text)


def remember(
    key: str,
    compute: Callable[[], dict[str, Any]],
    usable: Callable[[dict[str, Any]], bool] = lambda figures: True,
) -> dict[str, Any]:
    """Figures (a JSON object) stored under `key` for the current data version: read in one query when
    they are there (and `usable`), else computed and stored."""
    cached = _current(key)
    if cached is not None and usable(cached):
        return dict(cached)
    version = data_version()
    figures = compute()
    _store(key, version, figures)
    return figures


def _current(key: str) -> Any:
    """The figures stored under `key` at the current data version, or None: the version and the figures in
    one statement (the dashboard reads two sets, the data-quality page one, on every request)."""
    connection = connections[router.db_for_read(CachedFigures)]
    quote, meta = connection.ops.quote_name, CachedFigures._meta
    fields: Any = meta  # get_field answers any kind of field; these three are plain columns
    figures, key_column, version = (fields.get_field(name) for name in ("figures", "key", "version"))
    current, params = data_version_sql(connection)
    sql = (
        f"SELECT {quote(figures.column)} FROM {quote(meta.db_table)} "
        f"WHERE {quote(key_column.column)} = %s AND {quote(version.column)} = ({current})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, *params])
        row = cursor.fetchone()
    return None if row is None else figures.from_db_value(row[0], None, connection)


def _store(key: str, version: int, figures: dict[str, Any]) -> None:
    try:
        with transaction.atomic():
            CachedFigures.objects.bulk_create(
                [CachedFigures(key=key, version=version, figures=figures)],
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=["version", "figures", "computed"],
            )
            # Rows of older versions can never be used again.
            CachedFigures.objects.filter(version__lt=version).delete()
    except DatabaseError:
        # A cache that cannot be written (e.g. SQLite busy with a writer) costs a recomputation, no more.
        logger.warning("Could not store the dashboard figures in the cache", exc_info=True)


@dataclass
class Snapshot:
    """What the dashboard shows of one indicator: its value with the breakdowns by organisation and by sex
    and age (no localities), and its value per calendar month (None for hand-entered figures)."""

    value: engine.IndicatorValue
    monthly: list[tuple[dt.date, int | Decimal]] | None


def dashboard_figures(
    programme: Programme, indicators: Sequence[Indicator], start: dt.date, end: dt.date
) -> tuple[dict[int, Snapshot], dict[int, Organisation]]:
    """Each indicator's figures over start..end (both included), by indicator id, and the organisations
    they name: from the cache when it holds them for the current data version (one query), else computed
    (two queries per indicator: engine.value and engine.monthly) and stored. Organisations are set-up, so a
    renamed one moves the data version too (connect_signals)."""
    cached = remember(
        f"dashboard:{programme.pk}:{start.isoformat()}:{end.isoformat()}",
        lambda: _compute(indicators, start, end),
        usable=lambda figures: all(str(i.pk) in figures["indicators"] for i in indicators),
    )
    organisations = {
        int(pk): Organisation(pk=int(pk), slug=slug, name=name) for pk, (slug, name) in cached["orgs"].items()
    }
    return {i.pk: _decode_snapshot(i, cached["indicators"][str(i.pk)]) for i in indicators}, organisations


def _compute(indicators: Sequence[Indicator], start: dt.date, end: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    org_ids: set[int] = set()
    both = engine.each(indicators, lambda i: (engine.value(i, start, end), engine.monthly(i, start, end)))
    for indicator, (value, monthly) in zip(indicators, both, strict=True):
        org_ids.update(value.by_organisation)
        out[str(indicator.pk)] = {
            "total": _encode(value.total),
            "sex_age": value.sex_age,
            "org": {str(pk): _encode(n) for pk, n in value.by_organisation.items()},
            "months": None
            if monthly is None
            else [[month.isoformat(), _encode(n)] for month, n in sorted(monthly.items())],
        }
    # Every organisation, as the report reads them: one query whichever organisations the figures name.
    orgs = {str(o.pk): [o.slug, str(o)] for o in Organisation.objects.all() if o.pk in org_ids}
    return {"indicators": out, "orgs": orgs}


def _decode_snapshot(indicator: Indicator, data: dict[str, Any]) -> Snapshot:
    value = engine.IndicatorValue(
        indicator,
        total=_decode(data["total"]),
        sex_age=dict(data["sex_age"]),
        by_organisation={int(pk): _decode(n) for pk, n in data["org"].items()},
    )
    months = data["months"]
    monthly = None if months is None else [(dt.date.fromisoformat(m), _decode(n)) for m, n in months]
    return Snapshot(value, monthly)


def _setup_models() -> list[type[Any]]:
    """Set-up that changes what figures mean (counting rules, manual values, managed lists' codes,
    organisations) and is edited in the admin, outside the actions layer."""
    from django.apps import apps

    from nextsteps.records import models as records

    return [
        *apps.get_app_config("indicators").get_models(),
        *apps.get_app_config("programmes").get_models(),
        *(m for m in apps.get_app_config("records").get_models() if issubclass(m, records.ManagedList)),
        records.ExternalOrganisation,
        records.Campaign,
    ]


def _bump(sender: Any, **kwargs: Any) -> None:
    bump_data_version()


def _bump_on_m2m(sender: Any, action: str, instance: Any, **kwargs: Any) -> None:
    if action.startswith("post_") and type(instance) in _SETUP:
        bump_data_version()


_SETUP: set[type[Any]] = set()


def connect_signals() -> None:
    _SETUP.update(_setup_models())
    for model in _SETUP:
        post_save.connect(_bump, sender=model, dispatch_uid=f"livecache-save-{model._meta.label}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"livecache-delete-{model._meta.label}")
    m2m_changed.connect(_bump_on_m2m, dispatch_uid="livecache-m2m")
