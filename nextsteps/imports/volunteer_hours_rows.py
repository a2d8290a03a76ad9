"""Volunteer hours in the import: one row per volunteer and month, as a volunteer coordinator keeps them.

A row names its volunteer by external id, as the volunteers template gives it, or by the code the pages
show (volunteers added on the pages have no external id); an external id is looked for first. Rows have no
key of their own: a volunteer and a month are the record, so a row of a month already recorded replaces its
hours, and the same hours leave it unchanged (a second import of a file changes nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nextsteps.records import actions
from nextsteps.records.models import Volunteer

if TYPE_CHECKING:
    from nextsteps.imports.importer import Importer

RuleErrors = Iterator[tuple[str | None, Any, str | Promise, dict[str, Any]]]


@dataclass
class KnownVolunteers:
    """Volunteers (primary key, programme) by external id and by lower-cased code, and in the first pass the
    months the rows gave so far."""

    by_external_id: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_code: dict[str, tuple[int, int]] = field(default_factory=dict)
    months: set[tuple[Any, dt.date]] = field(default_factory=set)

    def find(self, name: str) -> tuple[int, int] | None:
        return self.by_external_id.get(name) or self.by_code.get(name.lower())


def _index(rows: Iterable[tuple[int, int, str, str]]) -> KnownVolunteers:
    """Volunteers' (pk, programme_id, external_id, code) rows, found by external id first, then code."""
    known = KnownVolunteers()
    for pk, programme, external_id, code in rows:
        if external_id:
            known.by_external_id[external_id] = (pk, programme)
        known.by_code[code.lower()] = (pk, programme)
    return known


def _known(importer: Importer) -> KnownVolunteers:
    """The organisation's volunteers, read once per import: an organisation has a few hundred, not millions."""
    if importer.known_volunteers is None:
        importer.known_volunteers = _index(
            Volunteer.objects.filter(organisation=importer.organisation)
            .order_by()
            .values_list("pk", "programme_id", "external_id", "code")
        )
    return importer.known_volunteers


def _in_import(importer: Importer, name: str) -> bool:
    """A volunteer that a volunteers file of this import adds, named by its external id or its code."""
    assert importer.store is not None
    return bool(
        importer.store.contains("volunteers", [name])
        or importer.store.contains("code:volunteers", [name.lower()])
    )


def hours_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    name, month = values.get("volunteer"), values.get("month")
    if not name or "volunteers" in importer.broken:
        return
    known = _known(importer)
    found = known.find(name)
    if found is None and not _in_import(importer, name):
        yield (
            "volunteer",
            name,
            _(
                "no volunteer with this external id or code in %(organisation)s, in the database or in this import"
            ),
            {"organisation": str(importer.organisation)},
        )
        return
    if found is not None and found[1] != importer.programme.pk:
        yield "volunteer", name, _("this record belongs to another programme of your organisation"), {}
        return
    if month is None:
        return
    # The model's unique volunteer and month, row by row: a second row would overwrite the first.
    seen = (found[0] if found else name, month)
    if seen in known.months:
        yield (
            "month",
            month.strftime("%Y-%m"),
            _(
                "this volunteer's hours for this month are on an earlier row of the import; give each month once"
            ),
            {},
        )
    known.months.add(seen)


def _resolve(importer: Importer, names: Iterable[str]) -> dict[str, int]:
    """The primary keys of the volunteers the rows name, in the programme: by external id first, then code."""
    names = set(names)
    known = _index(
        actions.records_by_key_or_code(
            Volunteer,
            {"organisation": importer.organisation, "programme": importer.programme},
            names,
            {name.lower() for name in names},
            ["pk", "programme_id", "external_id"],
        )
    )
    found: dict[str, int] = {}
    for name in names:
        volunteer = known.find(name)
        if volunteer is None:
            raise ValidationError(str(_("Volunteer %(volunteer)s could not be found.")) % {"volunteer": name})
        found[name] = volunteer[0]
    return found


def write_hours(
    importer: Importer, batch: list[dict[str, Any]], present: set[str], known: dict[str, int]
) -> actions.BulkResult:
    volunteers = _resolve(importer, (row["volunteer"] for row in batch))
    entries = [(volunteers[row["volunteer"]], row["month"], row["hours"]) for row in batch]
    if len({(volunteer, month) for volunteer, month, _hours in entries}) != len(entries):
        # One volunteer named by external id on one row and by code on another, for the same month.
        raise ValidationError(
            str(_("The hours of one volunteer for one month are given on two rows; give each month once."))
        )
    return actions.bulk_record_volunteer_hours(
        entries, acting_user=importer.acting_user, organisation=importer.organisation
    )
