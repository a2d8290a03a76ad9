"""A case's file in the JSON API: assessments, goals with their planned actions, follow-ups and notes (see
docs/api.md).

The web pages' rules: the access module decides (the roles that read or change cases, in the case's own
organisation only; 404 otherwise, for a read-only role's writes too), values are validated by the pages'
forms and the models, and written through the audited actions. Reading the file is a read of the case in
the audit trail, and each note read is audited like the case itself."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.utils import translation
from ninja import Path, Router, Status

from nextsteps.accounts import access
from nextsteps.api.auth import token_user
from nextsteps.api.bodies import checked_body, valid, written
from nextsteps.api.errors import Error
from nextsteps.api.schemas import MAX_ID
from nextsteps.casework import actions
from nextsteps.casework.forms import (
    AssessmentForm,
    FollowUpEditForm,
    FollowUpForm,
    GoalEditForm,
    GoalForm,
    NoteForm,
    PlannedActionForm,
)
from nextsteps.casework.models import Assessment, CaseNote, FollowUp, Goal, PlannedAction
from nextsteps.records import versions
from nextsteps.records.models import Case

router = Router(tags=["case file"])
CASE = "/records/cases/{case_id}"
ID = Path(..., ge=1, le=MAX_ID)


# What the API shows ------------------------------------------------------------------------------------


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def _versioned(obj: Model, values: dict[str, Any]) -> dict[str, Any]:
    if versions.is_versioned(type(obj)):
        values["version"] = obj.version  # type: ignore[attr-defined]
    return values


def assessment_data(a: Assessment) -> dict[str, Any]:
    return _versioned(
        a,
        {
            "id": a.pk,
            "date": _day(a.date),
            "risk_level": a.risk_level,
            "safety_concerns": a.safety_concerns,
            "needs": sorted(n.pk for n in a.needs.all()),
            "needs_note": a.needs_note,
            "author": a.author_id,
        },
    )


def action_data(p: PlannedAction) -> dict[str, Any]:
    return _versioned(
        p,
        {
            "id": p.pk,
            "goal": p.goal_id,
            "service_type": p.service_type_id,
            "responsible_user": p.responsible_user_id,
            "partner": p.partner_id,
            "due": _day(p.due),
            "status": p.status,
            "services": sorted(s.pk for s in p.services.all()),
        },
    )


def goal_data(g: Goal) -> dict[str, Any]:
    return _versioned(
        g,
        {
            "id": g.pk,
            "text": g.text,
            "status": g.status,
            "actions": [action_data(p) for p in g.actions.all()],
        },
    )


def follow_up_data(f: FollowUp) -> dict[str, Any]:
    return _versioned(
        f,
        {
            "id": f.pk,
            "what": f.what,
            "assigned_to": f.assigned_to_id,
            "due": _day(f.due),
            "done": _day(f.done),
            # Derived on every read, never stored (FollowUp.overdue).
            "overdue": f.overdue,
        },
    )


def note_data(n: CaseNote) -> dict[str, Any]:
    return _versioned(n, {"id": n.pk, "date": _day(n.date), "author": n.author_id, "text": n.text})


# Operations ---------------------------------------------------------------------------------------------


def _case(request: HttpRequest, case_id: int, action: str = access.VIEW) -> tuple[Any, Case]:
    user = token_user(request)
    return user, access.casework_case_or_404(user, case_id, action)


def list_assessments(request: HttpRequest, case_id: int = ID) -> list[dict[str, Any]]:
    _user, case = _case(request, case_id)
    return [assessment_data(a) for a in case.assessments.prefetch_related("needs")]


def create_assessment(request: HttpRequest, case_id: int = ID) -> Status[dict[str, Any]]:
    user, case = _case(request, case_id, access.CHANGE)
    body, _version = checked_body(request, AssessmentForm)
    data = valid(AssessmentForm(body)).cleaned_data
    saved = written(lambda: actions.add_assessment(case, acting_user=user, **data))
    return Status(201, assessment_data(saved))


def list_goals(request: HttpRequest, case_id: int = ID) -> list[dict[str, Any]]:
    _user, case = _case(request, case_id)
    goals = case.goals.prefetch_related("actions__services")
    return [goal_data(g) for g in goals]


def create_goal(request: HttpRequest, case_id: int = ID) -> Status[dict[str, Any]]:
    user, case = _case(request, case_id, access.CHANGE)
    body, _version = checked_body(request, GoalForm)
    text = valid(GoalForm(body)).cleaned_data["text"]
    return Status(201, goal_data(written(lambda: actions.add_goal(case, acting_user=user, text=text))))


def change_goal(request: HttpRequest, case_id: int = ID, goal_id: int = ID) -> dict[str, Any]:
    user, case = _case(request, case_id, access.CHANGE)
    goal = access.first_or_404(Goal.objects.filter(case=case, pk=goal_id))
    body, expected = checked_body(request, GoalEditForm, versioned_model=Goal)
    data = valid(GoalEditForm({"text": goal.text, "status": goal.status, **body})).cleaned_data
    saved = written(lambda: actions.update_goal(goal, acting_user=user, expected_version=expected, **data))
    # The answer shows the goal's text: a read like any other.
    access.audit_view(user, saved)
    return goal_data(saved)


def create_planned_action(
    request: HttpRequest, case_id: int = ID, goal_id: int = ID
) -> Status[dict[str, Any]]:
    user, case = _case(request, case_id, access.CHANGE)
    goal = access.first_or_404(Goal.objects.filter(case=case, pk=goal_id))
    body, _version = checked_body(request, PlannedActionForm)
    form = valid(PlannedActionForm({"status": PlannedAction.Status.PLANNED, **body}, case=case))
    fields = {name: form.cleaned_data[name] for name in PlannedActionForm.Meta.fields}
    saved = written(lambda: actions.add_planned_action(goal, acting_user=user, **fields))
    return Status(201, action_data(saved))


def planned_action_values(action: PlannedAction) -> dict[str, Any]:
    return {
        "service_type": action.service_type_id,
        "responsible_user": action.responsible_user_id,
        "partner": action.partner_id,
        "due": _day(action.due),
        "status": action.status,
    }


def change_planned_action(request: HttpRequest, case_id: int = ID, action_id: int = ID) -> dict[str, Any]:
    user, case = _case(request, case_id, access.CHANGE)
    planned = access.first_or_404(PlannedAction.objects.filter(goal__case=case, pk=action_id))
    body, expected = checked_body(request, PlannedActionForm, versioned_model=PlannedAction)
    # Without an instance: the form would otherwise set the new values on the action before the audited
    # action compares them with the stored ones, and the change would go unrecorded.
    form = valid(PlannedActionForm({**planned_action_values(planned), **body}, case=case))
    fields = {name: form.cleaned_data[name] for name in PlannedActionForm.Meta.fields}
    saved = written(
        lambda: actions.update_planned_action(planned, acting_user=user, expected_version=expected, **fields)
    )
    return action_data(saved)


def list_follow_ups(request: HttpRequest, case_id: int = ID) -> list[dict[str, Any]]:
    _user, case = _case(request, case_id)
    return [follow_up_data(f) for f in case.follow_ups.all()]


def create_follow_up(request: HttpRequest, case_id: int = ID) -> Status[dict[str, Any]]:
    user, case = _case(request, case_id, access.CHANGE)
    body, _version = checked_body(request, FollowUpForm)
    data = valid(FollowUpForm(body, case=case)).cleaned_data
    return Status(201, follow_up_data(written(lambda: actions.add_follow_up(case, acting_user=user, **data))))


def change_follow_up(request: HttpRequest, case_id: int = ID, follow_up_id: int = ID) -> dict[str, Any]:
    user, case = _case(request, case_id, access.CHANGE)
    follow_up = access.first_or_404(FollowUp.objects.filter(case=case, pk=follow_up_id))
    body, expected = checked_body(request, FollowUpEditForm, versioned_model=FollowUp)
    current = {
        "what": follow_up.what,
        "due": _day(follow_up.due),
        "assigned_to": follow_up.assigned_to_id,
        "done": _day(follow_up.done),
    }
    data = valid(FollowUpEditForm({**current, **body}, case=case)).cleaned_data
    saved = written(
        lambda: actions.update_follow_up(follow_up, acting_user=user, expected_version=expected, **data)
    )
    access.audit_view(user, saved)
    return follow_up_data(saved)


def list_notes(request: HttpRequest, case_id: int = ID) -> list[dict[str, Any]]:
    user, case = _case(request, case_id)
    notes = list(case.notes.all())
    actions.log_note_reads(case, notes, user=user)
    return [note_data(n) for n in notes]


def create_note(request: HttpRequest, case_id: int = ID) -> Status[dict[str, Any]]:
    user, case = _case(request, case_id, access.CHANGE)
    body, _version = checked_body(request, NoteForm)
    data = valid(NoteForm(body)).cleaned_data
    return Status(201, note_data(written(lambda: actions.add_note(case, acting_user=user, **data))))


# Registration -------------------------------------------------------------------------------------------

REFUSED = {401: Error, 404: Error}
WRITE_REFUSED = {400: Error, 422: Error, **REFUSED}
READ_NOTE = (
    " Only the case's own organisation reads it (a share does not carry it: 404); the read is written to the "
    "audit trail as a read of the case."
)
WRITE_NOTE = (
    " Validated like the web form and the model: 422 with an error per field, and nothing saved, when a value "
    "is not valid (for instance a date in the future or outside the case's open period). Only the roles that "
    "change the case's organisation's cases write it; for everyone else the case does not exist (404)."
)
CHANGE_NOTE = (
    " Send only the fields that change. When the record carries a `version`, send the one you read: when "
    "someone changed it since, nothing is saved and the answer is 409."
)
DATE = {"type": "string", "format": "date"}
NULLABLE_ID = {"type": ["integer", "null"], "minimum": 1}
TEXT = {"type": "string"}


def body_schema(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


VERSION = {"version": {"type": "integer", "minimum": 1}}
ASSESSMENT = {
    "date": DATE,
    "risk_level": {"type": "string", "enum": ["low", "medium", "high"]},
    "safety_concerns": TEXT,
    "needs": {"type": "array", "items": {"type": "integer", "minimum": 1}},
    "needs_note": TEXT,
}
PLANNED_ACTION = {
    "service_type": {"type": "integer", "minimum": 1},
    "responsible_user": NULLABLE_ID,
    "partner": NULLABLE_ID,
    "due": {"type": ["string", "null"], "format": "date"},
    "status": {"type": "string", "enum": [s.value for s in PlannedAction.Status]},
}
FOLLOW_UP = {"what": TEXT, "due": DATE, "assigned_to": NULLABLE_ID}

OPERATIONS: list[tuple[str, str, Any, int, str, str, str, dict[str, Any]]] = [
    # (path, method, view, success, operation id, url name, summary and description, OpenAPI extra)
    (
        "/assessments",
        "GET",
        list_assessments,
        200,
        "list_case_assessments",
        "case-assessments",
        "List a case's assessments|Newest first: date, risk level, safety concerns, needs (ids of the need "
        "areas) and a note about them." + READ_NOTE,
        {},
    ),
    (
        "/assessments",
        "POST",
        create_assessment,
        201,
        "create_case_assessment",
        "case-assessment-create",
        "Record an assessment of a case|Its author is the token's user." + WRITE_NOTE,
        body_schema(ASSESSMENT, ["date", "risk_level"]),
    ),
    (
        "/goals",
        "GET",
        list_goals,
        200,
        "list_case_goals",
        "case-goals",
        "List a case's plan: its goals with their planned actions|Each planned action gives its service "
        "type, who is responsible (a user or a partner organisation), its due date, status and the services "
        "recorded from it." + READ_NOTE,
        {},
    ),
    (
        "/goals",
        "POST",
        create_goal,
        201,
        "create_case_goal",
        "case-goal-create",
        "Add a goal to a case's plan|" + WRITE_NOTE.strip(),
        body_schema({"text": TEXT}, ["text"]),
    ),
    (
        "/goals/{goal_id}",
        "PATCH",
        change_goal,
        200,
        "change_case_goal",
        "case-goal-change",
        "Change a goal or its status (open, reached, dropped)|" + (CHANGE_NOTE + WRITE_NOTE).strip(),
        body_schema(
            {"text": TEXT, "status": {"type": "string", "enum": [s.value for s in Goal.Status]}, **VERSION}
        ),
    ),
    (
        "/goals/{goal_id}/actions",
        "POST",
        create_planned_action,
        201,
        "create_case_planned_action",
        "case-planned-action-create",
        "Add a planned action to a goal|The responsible user must work on cases of the case's organisation; "
        "a user or a partner organisation, not both." + WRITE_NOTE,
        body_schema(PLANNED_ACTION, ["service_type"]),
    ),
    (
        "/planned-actions/{action_id}",
        "PATCH",
        change_planned_action,
        200,
        "change_case_planned_action",
        "case-planned-action-change",
        "Change a planned action or its status (planned, in progress, done, cancelled)|"
        + (CHANGE_NOTE + WRITE_NOTE).strip(),
        body_schema({**PLANNED_ACTION, **VERSION}),
    ),
    (
        "/follow-ups",
        "GET",
        list_follow_ups,
        200,
        "list_case_follow_ups",
        "case-follow-ups",
        "List a case's follow-ups|Open ones first, by due date; `overdue` is true for one not done and due "
        "before today (worked out on every read, never stored)." + READ_NOTE,
        {},
    ),
    (
        "/follow-ups",
        "POST",
        create_follow_up,
        201,
        "create_case_follow_up",
        "case-follow-up-create",
        "Add a follow-up to a case|Not on a closed case, nor due before the case opened." + WRITE_NOTE,
        body_schema(FOLLOW_UP, ["what", "due"]),
    ),
    (
        "/follow-ups/{follow_up_id}",
        "PATCH",
        change_follow_up,
        200,
        "change_case_follow_up",
        "case-follow-up-change",
        "Change a follow-up, or mark it done|Send `done` with the day it was done (inside the case's open "
        "period, not in the future), or null when it is not done after all." + CHANGE_NOTE + WRITE_NOTE,
        body_schema({**FOLLOW_UP, "done": {"type": ["string", "null"], "format": "date"}, **VERSION}),
    ),
    (
        "/notes",
        "GET",
        list_notes,
        200,
        "list_case_notes",
        "case-notes",
        "List a case's notes|Newest first, with their author (a user id). Each note read is written to the "
        "audit trail, like a read of the case." + READ_NOTE,
        {},
    ),
    (
        "/notes",
        "POST",
        create_note,
        201,
        "create_case_note",
        "case-note-create",
        "Add a note to a case|Its author is the token's user; it is stored encrypted." + WRITE_NOTE,
        body_schema({"date": DATE, "text": TEXT}, ["date", "text"]),
    ),
]

# Summaries and descriptions in the OpenAPI document are for developers, in English.
with translation.override("en"):
    for _path, _method, _view, _success, _operation_id, _url_name, _text, _extra in OPERATIONS:
        _summary, _description = _text.split("|", 1)
        _success_schema: Any = list[dict[str, Any]] if _method == "GET" else dict[str, Any]
        router.add_api_operation(
            CASE + _path,
            [_method],
            _view,
            response={
                _success: _success_schema,
                **(REFUSED if _method == "GET" else WRITE_REFUSED),
                **({409: Error} if _method == "PATCH" else {}),
            },
            operation_id=_operation_id,
            summary=_summary,
            description=_description,
            url_name=_url_name,
            openapi_extra=_extra or None,
        )
