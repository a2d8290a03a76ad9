"""The case file in the import: identifications, assessments, goals, planned actions, follow-ups and case
notes. Each row names its case (a planned action its goal) and none opens a case; the rules of the models'
clean() that concern stored cases are checked per batch, before anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nextsteps.identification.models import FORCED_LABOUR, CaseIdentification, agrees, contradiction_message
from nextsteps.records.actions import records_by_key
from nextsteps.records.models import Case, period_problem

if TYPE_CHECKING:
    from nextsteps.imports.importer import Importer

RuleErrors = Iterator[tuple[str | None, Any, str | Promise, dict[str, Any]]]


# Row rules ----------------------------------------------------------------------------------------


def not_in_future(importer: Importer, values: dict[str, Any], *columns: str) -> RuleErrors:
    for column in columns:
        date = values.get(column)
        if date and date > importer.today:
            yield column, date.isoformat(), _("this date is in the future"), {}


def identification_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    yield from not_in_future(importer, values, "decided_on")
    case = values.get("case")
    if case and case in importer.identified:
        yield "case", case, _("this case already has an identification on an earlier row"), {}
    elif case:
        importer.identified.add(case)
        if values.get("external_id") and values.get("status") and "cases" not in importer.broken:
            file, number = importer.current
            item = (file, number, case, values["external_id"], values["status"])
            importer._queue(importer.pending_identifications, item)
    # The rule between the many-to-many types and the sector, which the model's clean() cannot see.
    if values.get("labour_sector"):
        codes = importer.vocabularies["exploitation_type"].codes(values.get("exploitation_types") or ())
        if FORCED_LABOUR not in codes:
            yield (
                "labour_sector",
                "",
                _("a sector of forced labour goes only with forced labour in the exploitation_types column"),
                {},
            )


def dated_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    yield from not_in_future(importer, values, "date", "done")
    case = values.get("case")
    if case and "cases" not in importer.broken:
        file, number = importer.current
        for column, due_only in (("date", False), ("done", False), ("due", True)):
            if values.get(column):
                importer._queue(
                    importer.pending_periods, (file, number, column, case, values[column], due_only)
                )


def planned_action_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    if values.get("partner"):
        file, number = importer.current
        importer._queue(
            importer.pending_refs["external_organisations"], (file, number, "partner", values["partner"])
        )
    return iter(())


# Checks of a batch against the stored cases --------------------------------------------------------


def check_periods(importer: Importer, items: list[tuple[str, int, str, str, dt.date, bool]]) -> None:
    """The rule of services, outcomes and the case file's records (their clean()), checked before anything
    is written: dated inside the case's open period (a follow-up's due date only after it opened). A case of
    this import is checked against the opening (and closing, when its file has the column) of its row; a
    case the import names without those is checked by the same rule when the rows are written."""
    assert importer.store is not None
    wanted = {case for _f, _r, _c, case, _d, _o in items}
    in_import = importer.store.contains("cases", wanted)
    wanted -= in_import
    found: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    for external, period in importer.store.values("case_period", in_import).items():
        start, end = period.split("|")
        found[external] = (dt.date.fromisoformat(start), dt.date.fromisoformat(end) if end else None)
    if wanted:
        found.update(
            (external, (opened, closed))
            for external, opened, closed in records_by_key(
                Case,
                {"organisation": importer.organisation, "programme": importer.programme},
                "external_id",
                wanted,
            ).values_list("external_id", "opened", "closed")
        )
    for file, row_number, column, case, date, due_only in items:
        if case not in found:
            continue
        opened, closed = found[case]
        if problem := period_problem(date, opened, None if due_only else closed):
            importer.error(file, row_number, column, date.isoformat(), problem[0], **problem[1])


def check_identifications(importer: Importer, items: list[tuple[str, int, str, str, str]]) -> None:
    """A case has one identification: a row may change the stored one (by its external id), not add a
    second. Its status agrees with the survivor status of the case's person, when neither the case nor the
    person is written by this import (the model's rule checks those when the rows are written). Checked
    before anything is written, like the rows' other references."""
    assert importer.store is not None
    wanted = {case for _f, _r, case, _k, _s in items}
    wanted -= importer.store.contains("cases", wanted)
    people = records_by_key(
        Case, {"organisation": importer.organisation, "programme": importer.programme}, "external_id", wanted
    ).values_list("external_id", "person__external_id", "person__survivor_status")
    found = {case: (person, status) for case, person, status in people}
    in_import = importer.store.contains("persons", {person for person, _s in found.values() if person})
    for file, row_number, case, _key, status in items:
        person, survivor_status = found.get(case, ("", ""))
        if case in found and person not in in_import and not agrees(survivor_status, status):
            importer.error(file, row_number, "status", status, contradiction_message(survivor_status, status))

    cases = records_by_key(
        Case,
        {"organisation": importer.organisation, "programme": importer.programme},
        "external_id",
        {i[2] for i in items},
    ).values("pk")
    stored = dict(
        CaseIdentification.objects.filter(case__in=cases).values_list("case__external_id", "external_id")
    )
    for file, row_number, case, key, _status in items:
        if case in stored and stored[case] != key:
            importer.error(
                file,
                row_number,
                "case",
                case,
                _(
                    "this case already has an identification, with the external id %(id)s; use it to change it"
                ),
                id=stored[case] or "-",
            )


# Writing ------------------------------------------------------------------------------------------


def identification_prepare(importer: Importer, batch: list[dict[str, Any]]) -> None:
    """A case has one identification: a row may change it (by its external id), not add a second."""
    cases = importer.resolve("cases", [row["case"] for row in batch])
    wanted = {cases[row["case"]]: row["external_id"] for row in batch}
    for case, stored in CaseIdentification.objects.filter(case__in=list(wanted)).values_list(
        "case__external_id", "external_id"
    ):
        if stored != wanted[cases[case]]:
            raise ValidationError(
                str(
                    _(
                        "Case %(case)s already has an identification with another external id (%(id)s); "
                        "use that one to change it."
                    )
                )
                % {"case": case, "id": stored or "-"}
            )


def planned_action_prepare(importer: Importer, batch: list[dict[str, Any]]) -> dict[str, int]:
    return importer.resolve("external_organisations", [row.get("partner") for row in batch])


def planned_action_extra(
    importer: Importer, row: Mapping[str, Any], fields: dict[str, Any], present: set[str], context: Any
) -> None:
    if "partner" in present:
        fields["partner_id"] = context[row["partner"]] if row.get("partner") else None
