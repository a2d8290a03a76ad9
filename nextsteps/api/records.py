"""The records in the API: list, detail, create, change and delete for every kind in records/kinds.py.

Every operation asks the access module first, exactly as the web pages do: a kind or record the user may
not see, change or delete does not exist for them (404); a person-level detail read is audited. Values are
validated by the record's own form (so they are scoped to what the user may link to, and errors come in the
user's language) and written through the actions layer.
"""

from __future__ import annotations

import math
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Path, Router, Status

from nextsteps.accounts import access
from nextsteps.api.auth import token_user
from nextsteps.api.bodies import ISO_DATE, checked_body, type_problem, valid
from nextsteps.api.errors import Conflict, Error, from_django, invalid
from nextsteps.api.schemas import MAX_ID, KindSchema, kind_schema, record_data
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions, versions
from nextsteps.records.forms import RecordForm
from nextsteps.records.kinds import KINDS, RecordKind
from nextsteps.records.removal import REASON_MAX_LENGTH, ReasonField, RemovalForm
from nextsteps.records.views import ListFilter
from nextsteps.reports import reported

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Far beyond any real list; it keeps the database's OFFSET within range whatever a client sends.
MAX_PAGE = 100_000
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")

router = Router()
REMOVAL = {
    "type": "object",
    "properties": {
        "reason": {"type": "string", "minLength": 1, "maxLength": REASON_MAX_LENGTH},
        "confirm_reported": {"type": "boolean", "default": False},
    },
    "required": ["reason"],
    "additionalProperties": False,
}


class ApiListFilter(ListFilter):
    """The record list's filters, with pages; dates in ISO format only, whatever the user's language."""

    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    def __init__(self, *args: Any, spec: RecordKind, org_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, spec=spec, org_ids=org_ids, **kwargs)
        # The web page drops this filter for users of one organisation; an API filter that were silently
        # dropped would answer with other records than the ones asked for.
        self.fields["organisation"] = forms.ModelChoiceField(
            queryset=Organisation.objects.filter(pk__in=org_ids), required=False
        )
        for name in ("date_from", "date_to"):
            if name in self.fields:
                field = self.fields[name]
                assert isinstance(field, forms.DateField)
                field.input_formats = ISO_DATE


def list_parameters(spec: RecordKind) -> list[dict[str, Any]]:
    def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    search = "Search: " + ", ".join(spec.search_fields)
    if spec.key == "person":
        # Names are encrypted and found by keyed hashes of whole names (nextsteps/privacy/search.py).
        search += "; or a whole given name, family name or full name (any case or accents)"
    params = [query("q", {"type": "string"}, search + ".")]
    if spec.date_field:
        params += [
            query("date_from", {"type": "string", "format": "date"}, f"First day ({spec.date_field})."),
            query(
                "date_to", {"type": "string", "format": "date"}, f"Last day, included ({spec.date_field})."
            ),
        ]
    if spec.type_field:
        params.append(query("type", {"type": "integer", "minimum": 1}, f"Id of a {spec.type_field}."))
    if spec.locality_field:
        params.append(query("locality", {"type": "string"}, "Locality (exact, any case)."))
    params += [
        query("organisation", {"type": "integer", "minimum": 1}, "Id of one of your organisations."),
        query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page number."),
        query(
            "page_size",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
            "Records per page.",
        ),
    ]
    return params


def current_values(obj: models.Model, form: type[RecordForm]) -> dict[str, Any]:
    """A record's values as its form reads them, so that a change needs to send only what changes."""
    values = model_to_dict(obj, fields=list(form.base_fields))
    for name, value in values.items():
        if isinstance(value, list):
            values[name] = [getattr(item, "pk", item) for item in value]
    return values


def save(
    form: RecordForm, user: Any, *, new: bool, expected_version: int | None = None, reason: str | None = None
) -> Any:
    instance = form.save(commit=False)
    for name, value in form.extra_fields().items():
        setattr(instance, name, value)
    m2m_names = {f.name for f in instance._meta.many_to_many}
    m2m = {name: value for name, value in form.cleaned_data.items() if name in m2m_names}
    try:
        with transaction.atomic():
            # What the form records on the way (a consent at intake), in the record's transaction.
            form.before_save(instance, user)
            if new:
                return actions.save_new(instance, acting_user=user, m2m=m2m)
            # Only the record's own fields: a form field that records something else (a consent) is not one.
            own = {f.name for f in instance._meta.get_fields()}
            return actions.save_changes(
                instance,
                acting_user=user,
                changed=[name for name in versions.changed_fields(form) if name in own],
                m2m=m2m,
                expected_version=expected_version,
                reason=reason,
            )
    except versions.StaleEdit as stale:
        raise Conflict(stale.api_message()) from None
    except ValidationError as error:
        # The model's own checks that the form could not make (e.g. unique per programme).
        raise invalid(from_django(error)) from None


def correction_body(
    request: HttpRequest, form: type[RecordForm]
) -> tuple[dict[str, Any], int | None, str | None]:
    """A change's body, its version, and the reason of the correction (`correction_reason`: plain text, at
    most 500 characters), which a record dated in a period already reported needs, as on the edit page."""
    body, expected = checked_body(
        request, form, versioned_model=form._meta.model, extra=(actions.CORRECTION_REASON_FIELD,)
    )
    reason = body.pop(actions.CORRECTION_REASON_FIELD, None)
    if reason is None:
        return body, expected, None
    field = ReasonField(required=False)
    problem = type_problem(field, reason)
    if problem:
        raise invalid({actions.CORRECTION_REASON_FIELD: [problem]})
    try:
        return body, expected, field.clean(reason)
    except ValidationError as error:
        raise invalid({actions.CORRECTION_REASON_FIELD: error.messages}) from None


def programme_for_new(request: HttpRequest, user: Any) -> Programme:
    slug = request.GET.get("programme")
    if slug is not None and not SLUG.match(slug):
        raise Http404
    return access.programme_or_404(user, slug)


def programme_of(obj: Any, user: Any) -> Programme:
    """A changed record stays in its own programme (the user's first programme only for those without)."""
    if isinstance(getattr(obj, "programme", None), Programme):
        return obj.programme  # type: ignore[no-any-return]
    case = getattr(obj, "case", None)
    if case is not None:
        return case.programme  # type: ignore[no-any-return]
    return access.programme_or_404(user, None)


def add_kind(kind: str) -> None:
    schema: KindSchema = kind_schema(kind)
    spec = schema.spec
    label, plural = str(spec.label), str(spec.label_plural)
    collection, item = f"/records/{spec.slug}", f"/records/{spec.slug}/{{record_id}}"
    person_note = (
        " Each read of a single record, and each change (its answer shows the whole record), is written to "
        "the audit trail."
        if spec.person_level
        else ""
    )
    tags = [plural]

    def list_records(request: HttpRequest) -> dict[str, Any]:
        user = token_user(request)
        access.require(access.can(user, kind))
        filters = ApiListFilter(request.GET, spec=spec, org_ids=access.organisations_for(user, kind))
        errors = {name: [str(m) for m in messages] for name, messages in filters.errors.items()}
        for name in sorted(set(request.GET) - set(filters.fields)):
            errors[name] = [_("Records of this kind cannot be filtered by this.")]
        if errors:
            raise invalid(errors, _("Some of the filters are not valid."))
        qs = access.scoped(user, kind)
        if schema.has_programme:
            qs = qs.select_related("programme")
        qs = qs.prefetch_related(*(n for n in schema.m2m_fields if n in schema.summary_fields))
        qs = filters.apply(qs)
        order = [f"-{spec.date_field}"] if spec.date_field else []
        page = filters.cleaned_data.get("page") or 1
        size = filters.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE
        count = qs.count()
        rows = qs.order_by(*order, "-pk")[(page - 1) * size : page * size] if count else []
        return {
            "count": count,
            "page": page,
            "page_size": size,
            "pages": max(1, math.ceil(count / size)),
            "results": [record_data(schema, row, detail=False) for row in rows],
        }

    def create_record(request: HttpRequest) -> Status[dict[str, Any]]:
        user = token_user(request)
        access.require(access.can(user, kind, access.ADD))
        programme = programme_for_new(request, user)
        body, _version = checked_body(request, schema.form)
        form = valid(schema.form(body, user=user, programme=programme))
        return Status(201, record_data(schema, save(form, user, new=True), detail=True))

    def get_record(request: HttpRequest, record_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
        obj = access.get_or_404(token_user(request), kind, record_id)
        return record_data(schema, obj, detail=True)

    def change_record(request: HttpRequest, record_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
        user = token_user(request)
        obj = access.get_or_404(user, kind, record_id, access.CHANGE)
        body, expected, reason = correction_body(request, schema.form)
        data = {**current_values(obj, schema.form), **body}
        form = schema.form(
            data, instance=obj, user=user, programme=programme_of(obj, user), action=access.CHANGE
        )
        saved = save(valid(form), user, new=False, expected_version=expected, reason=reason)
        if spec.person_level:
            # The answer shows every field, not only the changed ones: a read like any other.
            access.audit_view(user, saved)
        return record_data(schema, saved, detail=True)

    def delete_record(request: HttpRequest, record_id: int = Path(..., ge=1, le=MAX_ID)) -> Status[None]:
        user = token_user(request)
        obj = access.removable_or_404(user, kind, record_id)
        # Whether it may go at all comes first: no reason makes a record that others refer to removable.
        refusal = actions.deletion_refusal(obj)
        if refusal:
            raise Conflict(refusal)
        body, _version = checked_body(request, RemovalForm)
        form = valid(RemovalForm(body))
        try:
            if not form.cleaned_data["confirm_reported"]:
                warnings = [change.sentence() for change in reported.removal_changes(kind, obj)]
                if warnings:
                    instruction = _("Send confirm_reported: true to remove it anyway: nothing was removed.")
                    raise Conflict(" ".join([*warnings, instruction]))
            actions.delete_record(obj, acting_user=user, reason=form.cleaned_data["reason"])
        except actions.RecordKept as kept:
            raise Conflict(" ".join(kept.messages)) from None
        return Status(204, None)

    refused = {401: Error, 404: Error}
    write_body = {"application/json": {"schema": schema.create_body}}
    change_body = {"application/json": {"schema": schema.change_body}}
    router.add_api_operation(
        collection,
        ["GET"],
        list_records,
        response={200: schema.page_model, 422: Error, **refused},
        operation_id=f"list_{kind}",
        summary=f"List {plural}",
        description=f"The {plural} you may see, newest first, with filters and pages. Identifying details "
        "(names, phone numbers, notes, texts) are left out of lists: read a single record for them.",
        tags=tags,
        url_name=f"{kind}-list",
        openapi_extra={"parameters": list_parameters(spec)},
    )
    router.add_api_operation(
        collection,
        ["POST"],
        create_record,
        response={201: schema.detail_model, 400: Error, 422: Error, **refused},
        operation_id=f"create_{kind}",
        summary=f"Record a new {label}",
        description="Validated like the web form: 422 with an error per field, and nothing saved, when a "
        "value is not valid. Records of other organisations are not valid choices.",
        tags=tags,
        url_name=f"{kind}-create",
        openapi_extra={
            "requestBody": {"required": True, "content": write_body},
            "parameters": [
                {
                    "name": "programme",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "pattern": SLUG.pattern},
                    "description": "Slug of the programme the record belongs to (default: your first).",
                }
            ],
        },
    )
    router.add_api_operation(
        item,
        ["GET"],
        get_record,
        response={200: schema.detail_model, **refused},
        operation_id=f"get_{kind}",
        summary=f"Read one {label}",
        description=f"Every field of one {label}.{person_note}",
        tags=tags,
        url_name=f"{kind}-detail",
    )
    router.add_api_operation(
        item,
        ["PATCH"],
        change_record,
        response={200: schema.detail_model, 400: Error, 409: Error, 422: Error, **refused},
        operation_id=f"change_{kind}",
        summary=f"Change a {label}",
        description="Send only the fields that change; the rest keep their values. Send also the "
        "`version` of the record you read: when someone changed it since, nothing is saved and the answer "
        "is 409 with a message that says who changed which fields. Without `version` the change is saved "
        "over whatever is stored."
        if schema.versioned
        else "Send only the fields that change; the rest keep their values.",
        tags=tags,
        url_name=f"{kind}-change",
        openapi_extra={"requestBody": {"required": True, "content": change_body}},
    )
    router.add_api_operation(
        item,
        ["DELETE"],
        delete_record,
        response={204: None, 400: Error, 409: Error, 422: Error, **refused},
        operation_id=f"delete_{kind}",
        summary=f"Delete a {label}",
        description="Send why in the body's `reason` (plain text, at most 500 characters): it is kept, "
        "encrypted, with the audit entry; without it the answer is 422 and nothing is deleted. 409 while "
        "other records refer to it, and when the removal would change figures of a report already sent "
        "outside (the message says which, before and after) unless the body says `confirm_reported: true`. Who may delete: a coordinator any record of their organisation, whoever "
        "writes the kind what they entered in the last 14 days (NEXTSTEPS_OWN_ENTRY_DAYS); 404 for anyone "
        "else.",
        tags=tags,
        url_name=f"{kind}-delete",
        openapi_extra={
            "requestBody": {"required": True, "content": {"application/json": {"schema": REMOVAL}}}
        },
    )


# Summaries and descriptions in the OpenAPI document are for developers, in English.
with translation.override("en"):
    for _kind in KINDS:
        add_kind(_kind)
