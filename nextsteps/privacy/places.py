"""The places that can hold a person's identifying data besides their own row, and how erasure clears each.

Erasure (erasure.py) anonymises the person's row, then hands every place in PLACES the person and the traces
of what identified them (traces.py, taken before): each clears what it holds and writes an audit entry per
record it changed, naming fields only. A new kind of data about persons joins with one entry here, as
attachments did (their rows, which hold the files, are deleted).
The erasure tests search every column of every table and every file of the data folder for what is left,
so a forgotten place shows.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.attachments.actions import erase_for_person as _attachments
from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.identification.models import CaseIdentification
from nextsteps.imports.jobs import folder
from nextsteps.imports.models import ImportJob
from nextsteps.privacy.fields import EncryptedTextField, encrypted_fields
from nextsteps.privacy.traces import Traces
from nextsteps.records import versions
from nextsteps.records.models import Case, Outcome, Person, ServiceDelivery, Story
from nextsteps.referrals.models import Referral

STORY_TEXTS = ("text_nl", "text_en", "text_ro")


@dataclass(frozen=True)
class Erasing:
    person: Person  # already anonymised
    traces: Traces  # what identified them
    acting_user: Any


def _changed(erasing: Erasing, record: Model, fields: list[str]) -> None:
    log(
        AuditEntry.Action.CHANGE,
        record,
        user=erasing.acting_user,
        organisation=erasing.person.organisation,
        fields=fields,
    )


# Her own records: everything typed about her goes, what figures count stays. ------------------------------

# (model, path from it to the person, free-text fields emptied)
OWNED: tuple[tuple[type[Model], str, tuple[str, ...]], ...] = (
    (Case, "person", ("external_id", "consent_not_asked_reason")),
    (ServiceDelivery, "case__person", ("note", "external_id")),
    (Outcome, "case__person", ("note", "external_id")),
    # What happened to her and where: the structured facts (status, types, countries) stay for the figures.
    (
        CaseIdentification,
        "case__person",
        ("account", "recruitment_locality", "exploitation_locality", "external_id"),
    ),
    (Referral, "case__person", ("message", "decline_reason")),
)


def _own_records(erasing: Erasing) -> None:
    """The notes and external ids of the person's cases, services and outcomes, the account and localities
    of her identifications, and the messages of the referrals of her cases: emptied."""
    for model, path, fields in OWNED:
        records = model._default_manager.filter(**{path: erasing.person})
        # `field=""` is the one comparison an encrypted field allows: the records with anything to empty.
        for record in records.exclude(**{f: "" for f in fields}).only("pk", *fields):
            _changed(erasing, model(pk=record.pk), [f for f in fields if getattr(record, f)])
        records.update(**{f: "" for f in fields}, **versions.moved_on(model))


# The case file's free text (nextsteps/casework): (model, path to the person, fields emptied).
CASE_FILE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("casework.CaseNote", "case__person", ("text", "external_id")),
    ("casework.FollowUp", "case__person", ("what", "external_id")),
    ("casework.Goal", "case__person", ("text", "external_id")),
    ("casework.Assessment", "case__person", ("safety_concerns", "needs_note", "external_id")),
    # External ids come from the organisation's own files, which may key them to her.
    ("casework.PlannedAction", "goal__case__person", ("external_id",)),
)


def _case_file(erasing: Erasing) -> None:
    """Notes, follow-ups, goals and assessments of the person's cases: their texts emptied; the dated rows
    stay (a follow-up was done on a day, a risk level was assessed) and name nobody."""
    from django.apps import apps

    for label, path, fields in CASE_FILE:
        model = apps.get_model(label)
        records = model._default_manager.filter(**{path: erasing.person})
        for record in records.exclude(**{f: "" for f in fields}).only("pk", *fields):
            _changed(erasing, model(pk=record.pk), [f for f in fields if getattr(record, f)])
        records.update(**{f: "" for f in fields})


def _stories(erasing: Erasing) -> None:
    """Stories about the person: their texts emptied, their publication withdrawn."""
    stories = Story.objects.filter(person=erasing.person)
    for story in stories.only("pk"):
        _changed(erasing, story, [*STORY_TEXTS, "consent_to_publish"])
    stories.update(consent_to_publish=False, **{f: "" for f in STORY_TEXTS}, **versions.moved_on(Story))


# Her values in free text about others: replaced where they occur, the rest of the text stays. -------------


def organisation_path(model: type[Model]) -> str | None:
    """How a record reaches its organisation; None for a model with no organisation, whose records are
    then all searched (the erasure tests require a path for every model there is now)."""
    names = {f.name for f in model._meta.get_fields()}
    if "organisation" in names:
        return "organisation"
    # An audit entry's reason (audit.EntryReason) reaches it through its entry.
    for link in ("case", "visit", "person", "entry"):
        if link in names:
            return f"{link}__organisation"
    return None


def free_text_fields() -> Iterator[tuple[type[Model], list[str]]]:
    """Every encrypted free-text field where someone may have written about her: all but the persons' own
    (another person's address is theirs even when it is hers too) and the import jobs' (a place of their
    own, below). New encrypted notes are covered without a change here."""
    for model, fields in encrypted_fields():
        if model in (Person, ImportJob):
            continue
        texts = [f.name for f in fields if isinstance(f, EncryptedTextField)]
        if texts:
            yield model, texts


def _mentions(erasing: Erasing) -> None:
    """Notes and stories of the organisation's other records: her full name, phone, address, identity
    number and old code replaced where they occur, the rest of the text kept. Every such text of the
    organisation is decrypted once per erasure (a retention run repeats it for each person)."""
    for model, fields in free_text_fields():
        path = organisation_path(model)
        records = model._default_manager.all()
        if path:
            records = records.filter(**{path: erasing.person.organisation_id})
        updates: list[tuple[Model, dict[str, str]]] = []
        for record in records.exclude(**{f: "" for f in fields}).only("pk", *fields).iterator(2000):
            scrubbed = {f: erasing.traces.scrub(getattr(record, f)) for f in fields}
            changed = {f: v for f, v in scrubbed.items() if v is not getattr(record, f)}
            if changed:
                updates.append((record, changed))
        # Written once the reading is done: not into the table a cursor is still reading.
        for record, changed in updates:
            model._default_manager.filter(pk=record.pk).update(**changed, **versions.moved_on(model))
            _changed(erasing, record, sorted(changed))


# Imports: old jobs quoted the cells of failed rows and kept the uploads' own names. ----------------------


def renamed_files(files: Any, traces: Traces) -> tuple[Any, dict[str, str]]:
    """The job's file names with those that name her replaced by "file-N.ext", and old name -> new name.
    `files` is a list, or its JSON text where the names are stored encrypted."""
    names = json.loads(files) if isinstance(files, str) and files else files
    if not isinstance(names, list):
        return files, {}
    renamed: dict[str, str] = {}
    for n, name in enumerate(names, start=1):
        if isinstance(name, str) and traces.found_in(name, names=True):
            suffix = Path(name).suffix
            renamed[name] = f"file-{n}{'' if traces.found_in(suffix, names=True) else suffix}"
    if not renamed:
        return files, {}
    new = [renamed.get(name, name) for name in names]
    return (json.dumps(new) if isinstance(files, str) else new), renamed


def scrubbed_errors(text: str, renamed: dict[str, str], traces: Traces, language: str) -> str:
    """The job's error list (JSON rows: file, row, column, value, message) without her: every error of a
    row where any of her values shows loses its value and message (they may quote her birth date or
    nationality too), and her values are replaced wherever else they occur. The same text when nothing
    was hers."""
    try:
        rows = json.loads(text) if text else None
    except ValueError:
        return traces.scrub(text, names=True)
    if not isinstance(rows, list):
        found = traces.scrub_json(rows, names=True)
        return text if found == rows else json.dumps(found)

    def key(row: Any) -> tuple[Any, Any] | None:
        return (
            (row[0], row[1]) if isinstance(row, list) and len(row) >= 5 and row[1] not in ("", None) else None
        )

    rows = [[renamed.get(row[0], row[0]), *row[1:]] if key(row) else row for row in rows]
    hers = {
        key(row)
        for row in rows
        if key(row) and any(isinstance(cell, str) and traces.found_in(cell, names=True) for cell in row)
    }
    with translation.override(language or None):
        left_out = _("Left out: this row was about a person who has since been erased.")
    new = [
        [*row[:3], "", left_out, *row[5:]] if key(row) in hers else traces.scrub_json(row, names=True)
        for row in rows
    ]
    return text if new == json.loads(text) else json.dumps(new)


def scrubbed_summary(text: str, renamed: dict[str, str], traces: Traces) -> str:
    """The job's summary (JSON lines) with renamed files under their new names and her values replaced;
    the same text when nothing changed."""
    try:
        lines = json.loads(text) if text else None
    except ValueError:
        return traces.scrub(text, names=True)
    if not isinstance(lines, list):
        return text
    new = []
    for line in lines:
        if isinstance(line, str):
            for old_name, new_name in renamed.items():
                line = line.replace(old_name, new_name)
        new.append(traces.scrub_json(line, names=True))
    return text if new == lines else json.dumps(new)


def _import_jobs(erasing: Erasing) -> None:
    """The organisation's imports: the errors of rows that showed her left out, file names that named her
    replaced, her values replaced in summaries, and left-over uploads of finished imports removed."""
    traces = erasing.traces
    updates: list[tuple[ImportJob, dict[str, Any]]] = []
    for job in ImportJob.objects.filter(organisation=erasing.person.organisation_id).iterator(200):
        files, renamed = renamed_files(job.files, traces)
        changed: dict[str, Any] = {"files": files} if renamed else {}
        errors = scrubbed_errors(job.errors, renamed, traces, job.language)
        if errors is not job.errors:
            changed["errors"] = errors
        summary = scrubbed_summary(job.summary, renamed, traces)
        if summary is not job.summary:
            changed["summary"] = summary
        if changed:
            updates.append((job, changed))
        if job.finished:
            # The uploads of a finished import are removed when it ends; one killed on the way leaves them.
            transaction.on_commit(partial(shutil.rmtree, folder(job), ignore_errors=True))
    for job, changed in updates:
        ImportJob.objects.filter(pk=job.pk).update(**changed)
        _changed(erasing, job, sorted(changed))


# Django's admin history names records by their string form, which held her old code. -------------------


def _admin_history(erasing: Erasing) -> None:
    """Django's admin history: her record named by its new code, her old code and values replaced."""
    person = erasing.person
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    ).update(object_repr=person.code)
    updates: list[tuple[int, str, str]] = []
    for entry in LogEntry.objects.only("pk", "object_repr", "change_message").iterator(2000):
        object_repr = erasing.traces.scrub(entry.object_repr)
        message = erasing.traces.scrub(entry.change_message)
        if object_repr is not entry.object_repr or message is not entry.change_message:
            updates.append((entry.pk, object_repr, message))
    for pk, object_repr, message in updates:
        LogEntry.objects.filter(pk=pk).update(object_repr=object_repr, change_message=message)


PLACES: dict[str, Callable[[Erasing], None]] = {
    "own_records": _own_records,
    "stories": _stories,
    "case_file": _case_file,
    "mentions": _mentions,
    "import_jobs": _import_jobs,
    "admin_history": _admin_history,
    "attachments": _attachments,
}


def clear_everywhere(erasing: Erasing) -> None:
    for clear in PLACES.values():
        clear(erasing)


def tables() -> set[str]:
    """The tables erasure writes: those with encrypted fields and the admin history."""
    return {model._meta.db_table for model, _fields in encrypted_fields()} | {LogEntry._meta.db_table}
