"""Every write to a case file goes through these functions: atomic, with the acting user, and audited (see
nextsteps/records/actions.py). The rules themselves are the models'; these add what a step needs beyond
one record: who may be assigned, what closing leaves open.

The edits (`update_*`, `complete_follow_up`) take `expected_version`, the version the editor started from:
the save is refused with versions.StaleEdit, nothing written, when someone saved the item after it (None: no
check, for a client that sends no version)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.casework.models import Assessment, CaseNote, FollowUp, Goal, NeedArea, PlannedAction
from nextsteps.records.actions import create_record, insert_audit_entries, update_record
from nextsteps.records.models import Case, ClosureReason, ServiceDelivery, day


class NeedsConfirmation(ValidationError):
    """Closing was refused until the user confirms; the message names what is still open."""


@transaction.atomic
def assign_case(case: Case, *, acting_user: Any, caseworker: Any, co_workers: Iterable[Any] = ()) -> Case:
    """Make `caseworker` responsible for the case, with optional co-workers of the same organisation."""
    from nextsteps.accounts.access import case_writers

    helpers = [user for user in co_workers if user.pk != getattr(caseworker, "pk", None)]
    allowed = set(case_writers(case.organisation_id).values_list("pk", flat=True))
    if any(user.pk not in allowed for user in helpers):
        raise ValidationError({"co_workers": _("Co-workers must work on cases for the case's organisation.")})
    return update_record(case, acting_user=acting_user, caseworker=caseworker, co_workers=helpers)


def open_items(case: Case) -> list[str]:
    """What is still to do on the case, in words: its open follow-ups and planned actions."""
    items = [
        _("follow-up “%(what)s” due %(date)s") % {"what": f.what, "date": day(f.due)}
        for f in case.follow_ups.open()
    ]
    items += [
        _("planned action “%(action)s”") % {"action": a}
        for a in PlannedAction.objects.filter(
            goal__case=case, status__in=PlannedAction.OPEN_STATUSES
        ).select_related("service_type")
    ]
    return items


@transaction.atomic
def close_case(
    case: Case,
    *,
    acting_user: Any,
    reason: ClosureReason | None,
    closed: dt.date,
    confirmed: bool = False,
) -> Case:
    """Close the case with a reason. With open follow-ups or planned actions, refuses (NeedsConfirmation,
    naming them) until `confirmed`: they stay as they are, for the record."""
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("This case is already closed."))
    if reason is None:
        raise ValidationError({"closure_reason": _("Choose why the case is closed.")})
    pending = open_items(case)
    if pending and not confirmed:
        raise NeedsConfirmation(
            _("This case still has open items: %(items)s. Close it anyway?") % {"items": "; ".join(pending)},
            code="confirm",
        )
    return update_record(
        case, acting_user=acting_user, status=Case.Status.CLOSED, closed=closed, closure_reason=reason
    )


@transaction.atomic
def reopen_case(case: Case, *, acting_user: Any) -> Case:
    if case.status != Case.Status.CLOSED:
        raise ValidationError(_("This case is already open."))
    return update_record(
        case, acting_user=acting_user, status=Case.Status.OPEN, closed=None, closure_reason=None
    )


def add_assessment(
    case: Case,
    *,
    acting_user: Any,
    date: dt.date,
    risk_level: str,
    safety_concerns: str = "",
    needs: Iterable[NeedArea] = (),
    needs_note: str = "",
) -> Assessment:
    return create_record(
        Assessment,
        acting_user=acting_user,
        case=case,
        date=date,
        risk_level=risk_level,
        safety_concerns=safety_concerns,
        needs=list(needs),
        needs_note=needs_note,
        author=_author(acting_user),
    )


def add_goal(case: Case, *, acting_user: Any, text: str) -> Goal:
    return create_record(Goal, acting_user=acting_user, case=case, text=text)


def add_planned_action(goal: Goal, *, acting_user: Any, **fields: Any) -> PlannedAction:
    return create_record(PlannedAction, acting_user=acting_user, goal=goal, **fields)


ASSESSMENT_FIELDS = frozenset({"date", "risk_level", "safety_concerns", "needs", "needs_note"})
GOAL_FIELDS = frozenset({"text", "status"})
PLANNED_ACTION_FIELDS = frozenset({"service_type", "responsible_user", "partner", "due", "status"})
FOLLOW_UP_FIELDS = frozenset({"what", "assigned_to", "due", "done"})
NOTE_FIELDS = frozenset({"text", "date"})


def _edit(
    item: Any, editable: frozenset[str], acting_user: Any, expected_version: int | None, **changes: Any
) -> Any:
    unknown = set(changes) - editable
    if unknown:
        raise TypeError(f"not editable fields of a {type(item).__name__}: {sorted(unknown)}")
    return update_record(item, acting_user=acting_user, expected_version=expected_version, **changes)


@transaction.atomic
def update_assessment(
    assessment: Assessment, *, acting_user: Any, expected_version: int | None = None, **changes: Any
) -> Assessment:
    """Correct an assessment: its date, risk level, safety concerns, needs and what is said about them."""
    if "needs" in changes:
        needs = list(changes.pop("needs"))
        # Only a real change of the needs counts as one (a form always sends them).
        if {n.pk for n in needs} != set(assessment.needs.values_list("pk", flat=True)):
            changes["needs"] = needs
    return _edit(assessment, ASSESSMENT_FIELDS, acting_user, expected_version, **changes)


@transaction.atomic
def update_goal(goal: Goal, *, acting_user: Any, expected_version: int | None = None, **changes: Any) -> Goal:
    """Change a goal's text or status (open, reached, dropped)."""
    return _edit(goal, GOAL_FIELDS, acting_user, expected_version, **changes)


@transaction.atomic
def update_planned_action(
    action: PlannedAction, *, acting_user: Any, expected_version: int | None = None, **changes: Any
) -> PlannedAction:
    """Change a planned action: its service, who is responsible (a person or a partner), due date, status."""
    return _edit(action, PLANNED_ACTION_FIELDS, acting_user, expected_version, **changes)


@transaction.atomic
def record_service_from_plan(
    action: PlannedAction, *, acting_user: Any, date: dt.date, note: str = "", done: bool = True
) -> ServiceDelivery:
    """Record the service a planned action asked for, linked to it; the action is then done (or in
    progress, for a service that goes on)."""
    service = create_record(
        ServiceDelivery,
        acting_user=acting_user,
        case=action.goal.case,
        service_type=action.service_type,
        date=date,
        note=note,
    )
    action.services.add(service)
    status = PlannedAction.Status.DONE if done else PlannedAction.Status.IN_PROGRESS
    changed = ["services"]
    if action.status != status:
        action.status = status
        action.save(update_fields=["status", "updated_at"])
        changed.append("status")
    log(
        AuditEntry.Action.CHANGE,
        action,
        user=acting_user,
        organisation=action.goal.case.organisation,
        fields=changed,
    )
    return service


def add_follow_up(
    case: Case, *, acting_user: Any, what: str, due: dt.date, assigned_to: Any = None
) -> FollowUp:
    _refuse_on_closed(case)
    return create_record(
        FollowUp, acting_user=acting_user, case=case, what=what, due=due, assigned_to=assigned_to
    )


@transaction.atomic
def update_follow_up(
    follow_up: FollowUp, *, acting_user: Any, expected_version: int | None = None, **changes: Any
) -> FollowUp:
    """Correct a follow-up: what is to be done, who does it, when it is due, when it was done (or not)."""
    return _edit(follow_up, FOLLOW_UP_FIELDS, acting_user, expected_version, **changes)


@transaction.atomic
def complete_follow_up(
    follow_up: FollowUp, *, acting_user: Any, done: dt.date, expected_version: int | None = None
) -> FollowUp:
    if follow_up.done is not None:
        raise ValidationError(_("This follow-up is already done."))
    if expected_version is None:
        # No version to claim: read it again under the row lock, so that of two people marking it done at
        # once only the first records a date.
        stored = FollowUp.objects.select_for_update().filter(pk=follow_up.pk).values_list("done", flat=True)
        if any(value is not None for value in stored):
            raise ValidationError(_("This follow-up is already done."))
    return update_record(follow_up, acting_user=acting_user, expected_version=expected_version, done=done)


def add_note(case: Case, *, acting_user: Any, date: dt.date, text: str) -> CaseNote:
    return create_record(
        CaseNote, acting_user=acting_user, case=case, date=date, text=text, author=_author(acting_user)
    )


@transaction.atomic
def update_note(
    note: CaseNote, *, acting_user: Any, expected_version: int | None = None, **changes: Any
) -> CaseNote:
    """Correct a note's text or date. Only its author or a coordinator of the case's organisation may
    (accounts.access.may_edit_note); the system (no acting user) may too."""
    from nextsteps.accounts.access import may_edit_note

    if acting_user is not None and not may_edit_note(acting_user, note):
        raise ValidationError(
            _("Only the author of a note or a coordinator may change it."), code="not_author"
        )
    return _edit(note, NOTE_FIELDS, acting_user, expected_version, **changes)


def _refuse_on_closed(case: Case) -> None:
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("This case is closed: reopen it first."))


def _author(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def log_note_reads(case: Case, notes: Iterable[CaseNote], *, user: Any) -> None:
    """Reading a note is reading about the person: one read in the audit trail per note shown, like the case
    itself, written in one insert however many notes the case has."""
    entries = [(AuditEntry.Action.VIEW, note.pk, ()) for note in notes]
    if entries:
        insert_audit_entries(CaseNote, entries, user, case.organisation)
