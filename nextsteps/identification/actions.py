"""Writing a case's identification: atomic, with the acting user, audited (see nextsteps/records/actions.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from nextsteps.audit.models import AuditEntry
from nextsteps.identification.models import CaseIdentification
from nextsteps.records import actions as records
from nextsteps.records import versions
from nextsteps.records.models import Case, Person

FIELDS = {
    f.name for f in CaseIdentification._meta.get_fields() if f.concrete and f.name not in ("id", "case")
}
EDITABLE = FIELDS - {"created_at", "updated_at"}


@transaction.atomic
def record_identification(
    case: Case, *, acting_user: Any, expected_version: int | None = None, **fields: Any
) -> CaseIdentification:
    """Record the case's identification, or change the one it has: only the fields given change.

    Raises ValidationError (messages in the user's language) and stores nothing when a rule refuses it; a
    change saves only over `expected_version`, the version its editor started from, or raises
    versions.StaleEdit (None: no check). `expected_version` 0 says the editor started before any
    identification was recorded: one recorded meanwhile refuses the save rather than being overwritten.
    """
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"not fields of an identification: {sorted(unknown)}")
    # The person's row is locked (on PostgreSQL; SQLite holds its one write lock) so that her survivor
    # status, which the identification must agree with, cannot change between the check and the write.
    person = Person.objects.select_for_update().get(pk=case.person_id)
    case.person = person
    existing = CaseIdentification.objects.select_for_update().filter(case=case).first()
    types = fields.get("exploitation_types", existing.exploitation_types.all() if existing else ())
    sector = fields.get("labour_sector", existing.labour_sector if existing else None)
    errors = CaseIdentification.exploitation_errors(types, sector)
    if errors:
        raise ValidationError(errors)
    if existing is None:
        return records.create_record(CaseIdentification, acting_user=acting_user, case=case, **fields)
    existing.case = case
    if expected_version == 0:
        raise _recorded_meanwhile(existing)
    return records.update_record(
        existing, acting_user=acting_user, expected_version=expected_version, **fields
    )


def _recorded_meanwhile(existing: CaseIdentification) -> versions.StaleEdit:
    """The refusal of a first identification when someone recorded one since: it names who recorded (and
    changed) which of the form's fields, like any stale edit."""
    entries = AuditEntry.objects.filter(
        model=CaseIdentification._meta.label,
        object_pk=str(existing.pk),
        action__in=[AuditEntry.Action.CREATE, AuditEntry.Action.CHANGE],
    ).select_related("user")
    changes = [
        SimpleNamespace(user=entry.user, fields=[name for name in entry.fields or () if name in EDITABLE])
        for entry in entries.order_by("-at", "-pk")[: versions.MAX_CHANGES_NAMED]
    ]
    return versions.StaleEdit(existing, 0, existing, changes)
