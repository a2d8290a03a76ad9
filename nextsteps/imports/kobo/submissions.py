"""Submissions of the field forms, exported from KoboToolbox (or ODK Central), as import rows.

Both of Kobo's formats are read: CSV ("XML values and headers"; semicolons or commas; a group's questions as
`group/question`) and JSON (the API's `{"results": [...]}` or a plain list). Each submission becomes rows of
the import templates, identified by the submission's uuid, so importing the same export twice updates the
records instead of adding them again. Row numbers in messages are the export's: the first submission is row 2.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nextsteps.imports import columns as c
from nextsteps.imports import limits
from nextsteps.imports.importer import Source
from nextsteps.imports.readers import TableError, detect_delimiter
from nextsteps.imports.values import as_text, is_blank

# Kobo marks submissions a reviewer rejected; they are left out of the import.
REJECTED = "validation_status_not_approved"


@dataclass
class Submission:
    row: int
    uuid: str
    values: dict[str, Any]


@dataclass
class RowsTable:
    """Rows made in memory, read like a file by the importer; problems found while making them come along."""

    name: str
    header: list[Any]
    items: list[tuple[int, Sequence[Any]]]
    problems: list[tuple[int | None, str | None, str, Any]] = field(default_factory=list)
    _done: int = 0

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        for number, cells in self.items:
            self._done += 1
            yield number, cells

    def fraction(self) -> float:
        return self._done / max(len(self.items), 1)

    def close(self) -> None:
        pass


def _field_name(key: str) -> str:
    """`group_visit/visit_date` → `visit_date`; Kobo's own columns (`_uuid`, `meta/instanceID`) stay whole."""
    key = key.strip()
    if key.startswith("_") or key.startswith("meta/"):
        return key
    return key.rsplit("/", 1)[-1]


def _uuid(values: dict[str, Any]) -> str:
    for key in ("_uuid", "meta/instanceID", "instanceID", "KEY", "__id"):
        value = values.get(key)
        if not is_blank(value):
            return as_text(value).removeprefix("uuid:")
    return ""


def read_export(path: Path) -> list[Submission]:
    if not path.is_file():
        raise TableError(_("%(file)s does not exist.") % {"file": path})
    suffix = path.suffix.lower()
    try:
        # The whole export is read at once: only after its size is known to be within the limit.
        limits.check_size(path.name, path.stat().st_size)
    except limits.TooLarge as error:
        raise TableError(str(error)) from None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(_("%(file)s is not UTF-8 text.") % {"file": path.name}) from None
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise TableError(
                _("%(file)s is not valid JSON (line %(line)s).") % {"file": path.name, "line": error.lineno}
            ) from None
        except RecursionError:
            raise TableError(
                _("%(file)s does not hold a list of submissions.") % {"file": path.name}
            ) from None
        records = data.get("results", data) if isinstance(data, dict) else data
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise TableError(_("%(file)s does not hold a list of submissions.") % {"file": path.name})
        raw = [{str(k): v for k, v in record.items()} for record in records]
    elif suffix in {".csv", ".txt"}:
        first = text.split("\n", 1)[0]
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first))
        raw = []
        try:
            for record in reader:
                raw.append(dict(record))
        except csv.Error as error:
            # The reader's field limit (readers.py): a cell longer than a spreadsheet's.
            row = len(raw) + 2
            if "field limit" in str(error):
                raise TableError(limits.cell_message(path.name, row)) from None
            raise TableError(
                _("%(file)s, row %(row)s: the CSV cannot be read (%(reason)s).")
                % {"file": path.name, "row": row, "reason": error}
            ) from None
    else:
        raise TableError(
            _("%(file)s is neither a Kobo CSV export (.csv) nor a JSON export (.json).") % {"file": path.name}
        )
    submissions = []
    for index, record in enumerate(raw, start=2):
        for key, value in record.items():
            if _length(value) > limits.MAX_CELL:
                raise TableError(limits.cell_message(path.name, index, _field_name(key)))
        values = {_field_name(k): v for k, v in record.items()}
        if values.get("_validation_status") and REJECTED in json.dumps(values["_validation_status"]):
            continue
        submissions.append(Submission(index, _uuid(values), values))
    return submissions


def _length(value: Any) -> int:
    """The characters of a submitted value, as the import reads it (a list: its items joined)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | dict):
        return len(json.dumps(value, ensure_ascii=False))
    return 0


# Mapping each form's submissions to template rows ------------------------------------------------

Rows = list[tuple[int, dict[str, Any]]]
Problem = tuple[int | None, str | None, str, Any]


def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    if isinstance(value, list):
        return " ".join(as_text(v) for v in value)
    return "" if is_blank(value) else as_text(value)


def _outreach(submissions: list[Submission], problems: list[Problem]) -> dict[str, Rows]:
    visits: Rows = []
    reached: Rows = []
    for s in submissions:
        visits.append(
            (
                s.row,
                {
                    "external_id": s.uuid,
                    "date": _text(s.values, "visit_date"),
                    "locality": _text(s.values, "locality"),
                    "site_type": _text(s.values, "site_type"),
                    "household": _text(s.values, "household_id"),
                },
            )
        )
        for person in dict.fromkeys(_text(s.values, "persons_reached").split()):
            reached.append((s.row, {"visit": s.uuid, "person": person}))
    return {"outreach_visits": visits, "visit_persons": reached}


def _activities(submissions: list[Submission], problems: list[Problem]) -> dict[str, Rows]:
    rows: Rows = []
    for s in submissions:
        row = {
            "external_id": s.uuid,
            "activity_type": _text(s.values, "activity_type"),
            "title": _text(s.values, "title"),
            "date": _text(s.values, "activity_date"),
            "locality": _text(s.values, "locality"),
            # A select_multiple holds its choices separated by spaces; the template separates by semicolons.
            "participant_groups": "; ".join(_text(s.values, "participant_groups").split()),
        }
        for name in (
            "attendance_total",
            "attendance_women",
            "attendance_girls",
            "attendance_men",
            "attendance_boys",
        ):
            row[name] = _text(s.values, name)
        rows.append((s.row, row))
    return {"activities": rows}


def _volunteers(submissions: list[Submission], problems: list[Problem]) -> dict[str, Rows]:
    rows: Rows = []
    for s in submissions:
        consent = _text(s.values, "consent").lower()
        if consent != "yes":
            problems.append(
                (
                    s.row,
                    "consent",
                    consent,
                    gettext_lazy("no consent to keep the volunteer's name and phone number; not imported"),
                )
            )
            continue
        rows.append(
            (
                s.row,
                {
                    "external_id": s.uuid,
                    "signed_up": _text(s.values, "signed_up"),
                    "name": _text(s.values, "volunteer_name"),
                    "phone": _text(s.values, "phone"),
                    "locality": _text(s.values, "locality"),
                    "campaign": _text(s.values, "campaign"),
                },
            )
        )
    return {"volunteers": rows}


@dataclass(frozen=True)
class FormMapping:
    fields: tuple[str, ...]  # questions an export of this form must have
    rows: Callable[[list[Submission], list[Problem]], dict[str, Rows]]


MAPPINGS: dict[str, FormMapping] = {
    "outreach_visit": FormMapping(("visit_date", "locality", "site_type"), _outreach),
    "activity_attendance": FormMapping(("activity_type", "title", "activity_date", "locality"), _activities),
    "volunteer_signup": FormMapping(("signed_up", "volunteer_name", "consent"), _volunteers),
}


def _opener(table: RowsTable) -> Callable[[], RowsTable]:
    return lambda: table


def sources(form: str, path: Path) -> list[Source]:
    """The import sources of one export file: a table per record type the form's submissions fill."""
    mapping = MAPPINGS[form]
    submissions = read_export(path)
    problems: list[Problem] = []
    if submissions:
        known = set().union(*(s.values for s in submissions))
        missing = [name for name in mapping.fields if name not in known]
        if missing:
            raise TableError(
                _(
                    "%(file)s has no column %(columns)s: is it an export of the %(form)s form, with XML values "
                    "and headers?"
                )
                % {"file": path.name, "columns": ", ".join(missing), "form": form}
            )
    for s in submissions:
        if not s.uuid:
            problems.append(
                (s.row, "_uuid", "", gettext_lazy("the submission has no uuid (_uuid or meta/instanceID)"))
            )
    submissions = [s for s in submissions if s.uuid]
    made = mapping.rows(submissions, problems)
    found = []
    for index, (type_key, rows) in enumerate(made.items()):
        rtype = c.TYPES[type_key]
        # Only the columns the form fills: a column left out keeps what staff recorded in the application.
        header = [name for name in rtype.names if any(name in row for _number, row in rows)] or rtype.required
        items: list[tuple[int, Sequence[Any]]] = [
            (number, [row.get(name, "") for name in header]) for number, row in rows
        ]
        # Problems belong to the first table, so that each is reported once.
        table = RowsTable(f"{path.name} ({rtype.key})", header, items, problems if index == 0 else [])
        found.append(Source(rtype, table.name, _opener(table), weight=max(len(items), 1)))
    return found
