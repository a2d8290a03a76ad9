"""What the first pass of an import checks over a batch of rows against the database and the rows before it:
codes unique in the organisation whatever their case; a visit's household in the visit's locality, and
visited once a day. The models declare these rules as constraints; checked
here, each clash is named by its row, instead of failing the whole import when its batch is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nextsteps.imports import columns as c
from nextsteps.imports.keystore import KeyStore
from nextsteps.records.actions import AnyOf, records_by_key, records_by_key_or_code
from nextsteps.records.models import Household, OutreachVisit, same_locality

# Record types with a code, and how a clash with a stored record of the organisation is said.
CODE_TAKEN: dict[str, str | Promise] = {
    "persons": _("another person of this organisation already has this code"),
    "households": _("another household of this organisation already has this code"),
    "volunteers": _("another volunteer of this organisation already has this code"),
}


@dataclass(frozen=True)
class CodedRow:
    file: str
    row: int
    column: str
    external_id: str
    code: str
    # A row without a code column gives its external id as the code of a new record only.
    only_if_new: bool


def coded_row(file: str, row: int, values: dict[str, Any], present: set[str]) -> CodedRow | None:
    """The code a row of a coded record type gives its record (the external id when the code is empty)."""
    external_id = values.get("external_id")
    if not external_id or "__invalid__" in values:
        return None
    if "code" in present:
        return CodedRow(file, row, "code", external_id, values.get("code") or external_id, False)
    return CodedRow(file, row, "external_id", external_id, external_id, True)


Report = Callable[..., None]


def stored_keys_and_codes(
    type_key: str, organisation: Any, keys: set[str], rows: list[CodedRow], fields: list[str]
) -> tuple[list[tuple[Any, ...]], dict[str, set[int]]]:
    """The organisation's stored records that a batch's external ids or codes name, in one query (the
    batch's cost stays one query, as for records without a code): the `fields` of those named by external
    id, and the primary keys of the records with each (lower-case) code."""
    codes = {row.code.lower() for row in rows}
    by_key: list[tuple[Any, ...]] = []
    by_code: dict[str, set[int]] = {}
    if not keys and not codes:
        return by_key, by_code
    model = c.TYPES[type_key].model
    found = records_by_key_or_code(model, {"organisation": organisation}, keys, codes, [*fields, "pk"])
    for *values, pk, code in found:
        if values[0] in keys:
            by_key.append(tuple(values))
        if code in codes:
            by_code.setdefault(code, set()).add(pk)
    return by_key, by_code


def check_codes(
    type_key: str,
    rows: list[CodedRow],
    known: dict[str, int],
    stored: dict[str, set[int]],
    *,
    store: KeyStore,
    error: Report,
) -> None:
    """Each code once in the import, and not another stored record's. `known` maps the external ids of the
    batch that update a stored record to its primary key: a record may keep its own code, or change its case."""
    rows = [r for r in rows if not (r.only_if_new and r.external_id in known)]
    if not rows:
        return
    lowered = [r.code.lower() for r in rows]
    earlier = store.add(f"code:{type_key}", lowered)
    in_batch: set[str] = set()
    fresh: list[CodedRow] = []
    for row, code in zip(rows, lowered, strict=True):
        if code in earlier or code in in_batch:
            error(
                row.file,
                row.row,
                row.column,
                row.code,
                _("this code appears on an earlier row of the import; each record needs its own"),
            )
        else:
            in_batch.add(code)
            fresh.append(row)
    for row in fresh:
        if stored.get(row.code.lower(), set()) - {known.get(row.external_id)}:
            error(row.file, row.row, row.column, row.code, CODE_TAKEN[type_key])


@dataclass(frozen=True)
class VisitRow:
    file: str
    row: int
    external_id: str
    household: str
    date: dt.date
    locality: str


def visit_row(file: str, row: int, values: dict[str, Any]) -> VisitRow | None:
    household, date, locality = values.get("household"), values.get("date"), values.get("locality")
    if not household or not date or not locality or "__invalid__" in values:
        return None
    return VisitRow(file, row, values.get("external_id") or "", household, date, locality)


def check_visits(rows: list[VisitRow], *, organisation: Any, store: KeyStore, error: Report) -> None:
    """The OutreachVisit rules of a batch of visit rows: the household is in the visit's locality (as the
    import or the database has it), and no other visit of the organisation, stored or on an earlier row,
    is of the same household on the same day."""
    households = {row.household for row in rows}
    localities: dict[str, str] = {}
    stored_households: dict[int, str] = {}
    for key, stored_locality, pk in records_by_key(
        Household, {"organisation": organisation}, "external_id", sorted(households)
    ).values_list("external_id", "locality", "pk"):
        localities[key] = stored_locality
        stored_households[pk] = key
    # The import's own households, new or changed, have the locality of their row.
    localities.update(store.values("household_locality", households))
    days = [f"{row.household}\x1f{row.date.isoformat()}" for row in rows]
    earlier = store.add("household_visit_day", days)
    stored: dict[tuple[str, dt.date], set[str]] = {}
    # Only households already stored can have stored visits: found by their keys, through the index of
    # household visits.
    visits = OutreachVisit.objects.filter(
        AnyOf(F("household"), sorted(stored_households)),
        date__in=sorted({row.date for row in rows}),
        organisation=organisation,
    ).order_by()
    for household_id, date, external_id in (
        visits.values_list("household_id", "date", "external_id") if stored_households else ()
    ):
        stored.setdefault((stored_households[household_id], date), set()).add(external_id)
    in_batch: set[str] = set()
    for row, day in zip(rows, days, strict=True):
        locality = localities.get(row.household)
        if locality is not None and not same_locality(locality, row.locality):
            error(
                row.file,
                row.row,
                "household",
                row.household,
                _("this household is in %(household)s, not in %(locality)s"),
                household=locality,
                locality=row.locality,
            )
        elif day in earlier or day in in_batch:
            error(
                row.file,
                row.row,
                "household",
                row.household,
                _("this household has a visit on this day on an earlier row of the import"),
            )
        elif stored.get((row.household, row.date), set()) - {row.external_id or None}:
            error(
                row.file,
                row.row,
                "household",
                row.household,
                _("this household already has a visit on this day"),
            )
        in_batch.add(day)
