"""Referrals in the JSON API: the ones the user may see, one referral, sending one, and each step of its answer
(see docs/api.md).

The web pages' rules: the access module decides who sees a referral (the sending organisation's and the
receiving organisation's case readers; a declined or withdrawn one is gone for the receiver) and who takes
each step (404 for anyone else); each step goes through nextsteps/referrals/actions.py, audited. Sending
without the person's consent to share with exactly that organisation is a 400 that names the missing consent;
a step the referral's state no longer allows (someone answered it first) is a 409."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Path, Router, Status

from nextsteps.accounts import access
from nextsteps.api.auth import token_user
from nextsteps.api.bodies import checked_body, valid
from nextsteps.api.errors import BadRequest, Conflict, Error, from_django, invalid
from nextsteps.api.records import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE
from nextsteps.api.schemas import MAX_ID
from nextsteps.privacy.consents import sharing_refusal
from nextsteps.referrals import actions
from nextsteps.referrals.forms import ReferForm
from nextsteps.referrals.models import Referral
from nextsteps.referrals.steps import STEPS

router = Router(tags=["referrals"])
ID = Path(..., ge=1, le=MAX_ID)


class ListFilter(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("state"), choices=Referral.State.choices, required=False)
    direction = forms.ChoiceField(
        choices=[("received", "received"), ("sent", "sent")],
        required=False,
    )
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)


def referral_data(referral: Referral, user: Any, *, detail: bool = False) -> dict[str, Any]:
    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    data: dict[str, Any] = {
        "id": referral.pk,
        "case": referral.case_id,
        "person": referral.case.person.code,
        "from_organisation": referral.from_organisation_id,
        "to_organisation": referral.to_organisation_id,
        "services": sorted(s.pk for s in referral.services.all()),
        "reason": referral.reason,
        "urgency": referral.urgency,
        "state": referral.state,
        "sent_on": day(referral.sent_on),
        "answered_on": day(referral.answered_on),
        "days_to_answer": referral.days_to_answer,
        "completed_on": day(referral.completed_on),
        "withdrawn_on": day(referral.withdrawn_on),
        # The receiving organisation's own case for the person: its business, not the sender's.
        "receiving_case": referral.receiving_case_id
        if access.can(user, "case", access.VIEW, referral.to_organisation_id)
        else None,
    }
    if detail:
        data["message"] = referral.message
        data["decline_reason"] = referral.decline_reason
    return data


def _listed(queryset: Any) -> Any:
    return queryset.select_related("case__person").prefetch_related("services")


def list_referrals(request: HttpRequest) -> dict[str, Any]:
    user = token_user(request)
    orgs = access.organisations_for(user, "case")
    access.require(bool(orgs))
    filters = ListFilter(request.GET)
    errors = {name: [str(m) for m in messages] for name, messages in filters.errors.items()}
    for name in sorted(set(request.GET) - set(filters.fields)):
        errors[name] = [_("Referrals cannot be filtered by this.")]
    if errors:
        raise invalid(errors, _("Some of the filters are not valid."))
    referrals = access.referrals(user)
    if state := filters.cleaned_data["state"]:
        referrals = referrals.filter(state=state)
    direction = filters.cleaned_data["direction"]
    if direction == "received":
        referrals = referrals.filter(to_organisation__in=orgs)
    elif direction == "sent":
        referrals = referrals.filter(from_organisation__in=orgs)
    page = filters.cleaned_data["page"] or 1
    size = filters.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE
    count = referrals.count()
    rows = _listed(referrals)[(page - 1) * size : page * size] if count else []
    return {
        "count": count,
        "page": page,
        "page_size": size,
        "pages": max(1, math.ceil(count / size)),
        "results": [referral_data(r, user) for r in rows],
    }


def get_referral(request: HttpRequest, referral_id: int = ID) -> dict[str, Any]:
    user = token_user(request)
    return referral_data(access.referral_or_404(user, referral_id), user, detail=True)


def _refused(error: ValidationError, person: Any, organisation: Any, on: dt.date) -> Exception:
    """A 400 naming the missing consent when that is why; otherwise 422 (409 for a step no longer possible)."""
    if isinstance(error, actions.StepNotPossible):
        return Conflict(" ".join(error.messages))
    refusal = sharing_refusal(person, organisation, on)
    if refusal and refusal in error.messages:
        return BadRequest(refusal, from_django(error))
    return invalid(from_django(error))


def send_referral(request: HttpRequest, case_id: int = ID) -> Status[dict[str, Any]]:
    user = token_user(request)
    case = access.get_or_404(user, "case", case_id, access.CHANGE)
    body, _version = checked_body(request, ReferForm)
    data = valid(ReferForm({"urgency": Referral.Urgency.NORMAL, **body}, case=case)).cleaned_data
    today = dt.date.today()
    try:
        referral = actions.send_referral(
            acting_user=user,
            case=case,
            to_organisation=data["to_organisation"],
            services=data["services"],
            reason=data["reason"],
            urgency=data["urgency"],
            message=data["message"],
            on=today,
        )
    except ValidationError as error:
        raise _refused(error, case.person, data["to_organisation"], today) from None
    return Status(201, referral_data(referral, user, detail=True))


def _step(request: HttpRequest, referral_id: int, verb: str) -> dict[str, Any]:
    """One step on a referral: 404 for whoever may not take it, the action, the referral as it is then."""
    step = STEPS[verb]
    user = token_user(request)
    referral: Referral = access.referral_or_404(user, referral_id, audited=False)
    access.require(step.allowed(user, referral))
    body, _version = checked_body(request, step.form)
    data = valid(step.form(body)).cleaned_data
    today = dt.date.today()
    try:
        step.take(user, referral, data)
    except ValidationError as error:
        raise _refused(error, referral.case.person, referral.to_organisation, today) from None
    referral.refresh_from_db()
    # The answer shows the whole referral: a read like any other.
    access.audit_view(user, referral)
    return referral_data(referral, user, detail=True)


def accept_referral(request: HttpRequest, referral_id: int = ID) -> dict[str, Any]:
    return _step(request, referral_id, "accept")


def decline_referral(request: HttpRequest, referral_id: int = ID) -> dict[str, Any]:
    return _step(request, referral_id, "decline")


def withdraw_referral(request: HttpRequest, referral_id: int = ID) -> dict[str, Any]:
    return _step(request, referral_id, "withdraw")


def complete_referral(request: HttpRequest, referral_id: int = ID) -> dict[str, Any]:
    return _step(request, referral_id, "complete")


REFUSED = {401: Error, 404: Error}
STEP_REFUSED = {400: Error, 409: Error, 422: Error, **REFUSED}
NO_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {"type": "object", "additionalProperties": False, "properties": {}}
            }
        },
    }
}
ITEM = "/referrals/{referral_id}"
STATES = [s.value for s in Referral.State]
FIELDS = (
    "Each referral gives its case, the person's code, the organisations (ids), the services asked for (ids "
    "of service types), reason, urgency, state (sent, accepted, declined, completed, withdrawn), the days of "
    "each step and `days_to_answer` (from sending to accepting or declining; null while unanswered)."
)

# Summaries and descriptions in the OpenAPI document are for developers, in English.
with translation.override("en"):
    router.add_api_operation(
        "/referrals",
        ["GET"],
        list_referrals,
        response={200: dict[str, Any], 422: Error, **REFUSED},
        operation_id="list_referrals",
        summary="List the referrals you may see",
        description="Those your organisations sent, and those addressed to them unless declined or withdrawn; "
        "newest first, in pages like the record lists. "
        + FIELDS
        + " The message and a reason for declining are in a single referral.",
        url_name="referrals",
        openapi_extra={
            "parameters": [
                {
                    "name": "state",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": STATES},
                },
                {
                    "name": "direction",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["received", "sent"]},
                    "description": "Only those addressed to your organisations, or only those they sent.",
                },
                {
                    "name": "page",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                },
                {
                    "name": "page_size",
                    "in": "query",
                    "required": False,
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_PAGE_SIZE,
                        "default": DEFAULT_PAGE_SIZE,
                    },
                },
            ]
        },
    )
    router.add_api_operation(
        ITEM,
        ["GET"],
        get_referral,
        response={200: dict[str, Any], **REFUSED},
        operation_id="read_referral",
        summary="Read one referral",
        description=FIELDS + " With its message and the reason it was declined. Each read is written to the "
        "audit trail.",
        url_name="referral",
    )
    router.add_api_operation(
        "/records/cases/{case_id}/referrals",
        ["POST"],
        send_referral,
        response={201: dict[str, Any], 400: Error, 422: Error, **REFUSED},
        operation_id="send_referral",
        summary="Refer a case to another organisation",
        description="For named services, to an organisation of the case's programme, by the roles that change "
        "the case. Without the person's consent to share with exactly that organisation nothing is sent and "
        "the answer is 400, its message naming the missing consent; other values that are not valid are a 422 "
        "with an error per field.",
        url_name="case-referral-send",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["to_organisation", "services", "reason"],
                            "properties": {
                                "to_organisation": {"type": "integer", "minimum": 1},
                                "services": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                                "reason": {"type": "string", "enum": [r.value for r in Referral.Reason]},
                                "urgency": {"type": "string", "enum": [u.value for u in Referral.Urgency]},
                                "message": {"type": "string"},
                            },
                        }
                    }
                },
            }
        },
    )
    for verb, view, who, extra in [
        ("accept", accept_referral, "the receiving organisation's case staff", NO_BODY),
        (
            "decline",
            decline_referral,
            "the receiving organisation's case staff, with a `reason` (required; the sender sees it)",
            {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["reason"],
                                "properties": {"reason": {"type": "string"}},
                            }
                        }
                    },
                }
            },
        ),
        (
            "withdraw",
            withdraw_referral,
            "the sending organisation's case staff, before it is answered",
            NO_BODY,
        ),
        ("complete", complete_referral, "the receiving organisation's case staff, once accepted", NO_BODY),
    ]:
        router.add_api_operation(
            f"{ITEM}/{verb}",
            ["POST"],
            view,
            response={200: dict[str, Any], **STEP_REFUSED},
            operation_id=f"{verb}_referral",
            summary=f"{verb.capitalize()} a referral",
            description=f"By {who}; 404 for anyone else. A step the referral's state no longer allows (it was "
            "answered, withdrawn or completed meanwhile) is a 409, and nothing changes. The answer is the "
            "referral as it is then.",
            url_name=f"referral-{verb}",
            openapi_extra=extra,
        )
