"""A case's identification in the JSON API: read it, or change the fields sent (see docs/api.md).

The same rules as the web page: the access module decides (the case's own organisation only; 404 otherwise),
values are validated by the page's form and the model, written through the audited action, and every answer
that shows the identification is a read in the audit trail."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router

from nextsteps.accounts import access
from nextsteps.api.auth import token_user
from nextsteps.api.bodies import json_object, read_version, valid, written
from nextsteps.api.errors import Error, invalid
from nextsteps.api.schemas import MAX_ID, type_problem
from nextsteps.identification.actions import record_identification
from nextsteps.identification.forms import LISTS, MULTIPLE, IdentificationForm
from nextsteps.identification.models import CaseIdentification
from nextsteps.identification.views import identification_of

router = Router(tags=["identifications"])
COUNTRIES = ("recruitment_countries", "exploitation_countries")
PATH = "/records/cases/{case_id}/identification"
TEXT = {"type": ["string", "null"]}
IDS = {"type": ["array", "null"], "items": {"type": "integer", "minimum": 1}}
CODES = {"type": ["array", "null"], "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"}}
BODY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "status": {"type": "string", "enum": ["presumed", "identified", "not_a_victim"]},
        "decided_by": {
            "type": ["string", "null"],
            "enum": ["police", "ngo", "court", "government", "other", "", None],
        },
        "decided_on": {"type": ["string", "null"], "format": "date"},
        **{name: IDS for name in MULTIPLE},
        **{name: {"type": ["integer", "null"], "minimum": 1} for name in LISTS},
        **{name: CODES for name in COUNTRIES},
        "recruitment_locality": TEXT,
        "exploitation_locality": TEXT,
        "account": TEXT,
        "version": {"type": ["integer", "null"], "minimum": 1},
    },
}


def document(case: Any, identification: CaseIdentification | None) -> dict[str, Any]:
    """The identification as the API shows it: ids for managed-list values, ISO codes for countries."""
    if identification is None:
        return {"case": case.pk, "recorded": False}
    return {
        "case": case.pk,
        "recorded": True,
        **current_values(identification),
        "version": identification.version,
    }


def current_values(identification: CaseIdentification | None) -> dict[str, Any]:
    if identification is None:
        return {}
    values: dict[str, Any] = {name: getattr(identification, name) for name in IdentificationForm.Meta.fields}
    for name in MULTIPLE:
        values[name] = sorted(item.pk for item in values[name].all())
    for name in LISTS:
        values[name] = getattr(identification, f"{name}_id")
    for name in COUNTRIES:
        values[name] = [country.code for country in values[name]]
    values["decided_on"] = identification.decided_on.isoformat() if identification.decided_on else None
    return values


def read_body(request: HttpRequest) -> tuple[dict[str, Any], int | None]:
    """The fields sent, checked and normalised, and the version the change starts from (None: unchecked)."""
    body = json_object(request)
    expected = read_version(body)
    fields = IdentificationForm.base_fields
    errors: dict[str, list[str]] = {}
    for name, value in body.items():
        if name not in fields:
            errors[name] = [_("There is no such field.")]
        elif name in COUNTRIES:
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                errors[name] = [_("Give a list of country codes such as NL or RO.")]
        elif problem := type_problem(fields[name], value):
            errors[name] = [problem]
    if errors:
        raise invalid(errors)
    values: dict[str, Any] = {}
    for name, value in body.items():
        if name in COUNTRIES:
            # "ro" is the same country as "RO", as on every other path (see CaseIdentification.clean_fields).
            values[name] = [code.strip().upper() for code in value or ()]
        elif value is None and name not in (*MULTIPLE, *LISTS):
            values[name] = ""
        else:
            values[name] = value
    return values, expected


def read_identification(request: HttpRequest, case_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    user = token_user(request)
    case = access.identification_case_or_404(user, case_id)
    identification = identification_of(case)
    access.audit_view(user, identification or case)
    return document(case, identification)


def change_identification(request: HttpRequest, case_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    user = token_user(request)
    case = access.identification_case_or_404(user, case_id, access.CHANGE)
    body, expected = read_body(request)
    identification = identification_of(case)
    form = valid(
        IdentificationForm(
            {**current_values(identification), **body},
            instance=identification or CaseIdentification(case=case),
        )
    )
    saved = written(
        lambda: record_identification(case, acting_user=user, expected_version=expected, **form.values())
    )
    # The answer shows every field: a read like any other.
    access.audit_view(user, saved)
    return document(case, identification_of(case))


refused = {401: Error, 404: Error}
router.add_api_operation(
    PATH,
    ["GET"],
    read_identification,
    response={200: dict[str, Any], **refused},
    operation_id="read_case_identification",
    summary="Read a case's identification",
    description="The trafficking status, who decided it and when, types of exploitation, countries (ISO "
    "3166-1 codes), recruitment, means of control and referral (ids of the managed lists' values) and the "
    "account of what happened; `recorded` is false while none is recorded. Only the case's own organisation "
    "reads it, and each read is written to the audit trail.",
    url_name="case-identification",
)
router.add_api_operation(
    PATH,
    ["PATCH"],
    change_identification,
    response={200: dict[str, Any], 400: Error, 409: Error, 422: Error, **refused},
    operation_id="change_case_identification",
    summary="Record or change a case's identification",
    description="Send only the fields that change (the first time at least `status`); validated like the web "
    "form: 422 with an error per field, and nothing saved, when a value is not valid or contradicts the "
    "person's survivor status. With the `version` read, a change saved by someone else since is refused "
    "with 409 and a message that says who changed which fields.",
    url_name="case-identification-change",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": BODY}}}},
)
