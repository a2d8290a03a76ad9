"""What records look like in the API, derived from the record kinds, their models and their forms.

One description serves three purposes: the OpenAPI document, the JSON the API answers with, and the check of
a request body's JSON types before the record's own form validates the values. Forms stay the only place
that decides whether a value is acceptable; the schemas only say what shape the API speaks.

Identifying details (the fields encrypted in the database: names, phone numbers, notes, story texts) appear
only in a single record's detail, which is audited for person-level kinds; lists never carry them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from django import forms
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, create_model
from pydantic import Field as PydanticField

from nextsteps.privacy.fields import EncryptedMixin
from nextsteps.records import versions
from nextsteps.records.forms import FORMS, RecordForm
from nextsteps.records.kinds import KINDS, RecordKind

# Read-only fields every record shows when its model has them, after the fields its form edits.
READ_ONLY = ("programme", "external_id", "version", "created_at", "updated_at")
# Records reached or linked outside the record's own form, shown read-only.
EXTRA_READ_ONLY: dict[str, tuple[str, ...]] = {"visit": ("persons",)}
MAX_ID = 2**63 - 1


def camel(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


@dataclass(frozen=True)
class KindSchema:
    """Everything the API needs to know about one kind of record."""

    spec: RecordKind
    form: type[RecordForm]
    summary_fields: tuple[str, ...]  # in lists
    detail_fields: tuple[str, ...]  # in a record's detail
    m2m_fields: tuple[str, ...]
    has_programme: bool
    detail_model: type[Schema]
    summary_model: type[Schema]
    page_model: type[Schema]
    create_body: dict[str, Any]  # JSON schema of a new record
    change_body: dict[str, Any]  # JSON schema of a change (every field optional)

    @property
    def model(self) -> type[models.Model]:
        return self.spec.model

    @property
    def versioned(self) -> bool:
        return versions.is_versioned(self.model)

    def field(self, name: str) -> Any:
        return self.model._meta.get_field(name)


def _is_private(field: Any) -> bool:
    return isinstance(field, EncryptedMixin)


def _choices(values: list[str]) -> Any:
    return Literal.__getitem__(tuple(values))  # type: ignore[attr-defined]


def output_type(field: Any) -> Any:
    if field.many_to_many or field.one_to_many:
        return list[int]
    if field.name == "programme":
        base: Any = str  # programmes are named by their slug everywhere in the API
    elif field.is_relation:
        base = int
    elif field.choices:
        base = _choices([str(value) for value, _label in field.flatchoices] + ([""] if field.blank else []))
    elif isinstance(field, models.DateTimeField):
        base = dt.datetime
    elif isinstance(field, models.DateField):
        base = dt.date
    elif isinstance(field, models.BooleanField):
        base = bool
    elif isinstance(field, models.IntegerField):
        base = int
    else:
        base = str
    return base | None if field.null else base


def _describe(label: Any, help_text: Any = "") -> str:
    text = str(label).capitalize() if label else ""
    return f"{text}. {help_text}" if help_text else text


def _output_model(name: str, spec: RecordKind, fields: tuple[str, ...]) -> Any:
    model = spec.model
    definitions: dict[str, Any] = {"id": (int, PydanticField(description="The record's id."))}
    for field_name in fields:
        field = model._meta.get_field(field_name)
        definitions[field_name] = (
            output_type(field),
            PydanticField(
                description="The record's version: it grows with every change. Send it back with a change."
                if field_name == "version"
                else _describe(getattr(field, "verbose_name", field_name))
            ),
        )
    return create_model(name, __base__=Schema, **definitions)


def input_type(field: forms.Field) -> tuple[Any, dict[str, Any]]:
    """The JSON type of a form field's value, and JSON-schema constraints the form also enforces."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return list[int], {}
    if isinstance(field, forms.ModelChoiceField):
        return int, {"ge": 1, "le": MAX_ID}
    if isinstance(field, forms.ChoiceField):
        values = [str(value) for value, _label in field.choices if value != ""]  # type: ignore[union-attr,misc]
        return _choices(values), {}
    if isinstance(field, forms.DateField):
        return dt.date, {}
    if isinstance(field, forms.BooleanField):
        return bool, {}
    if isinstance(field, forms.IntegerField):
        limits = {"ge": field.min_value, "le": field.max_value}
        return int, {key: value for key, value in limits.items() if value is not None}
    if isinstance(field, forms.CharField):
        return str, {"max_length": field.max_length} if field.max_length else {}
    return str, {}


def _body_schema(name: str, form: type[RecordForm], *, partial: bool) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    for field_name, field in form.base_fields.items():
        python_type, constraints = input_type(field)
        description = _describe(field.label, field.help_text)
        if field_name == "organisation":
            description += (
                ". Needed only when you may record this kind for more than one organisation; otherwise "
                "the record belongs to your organisation whatever is sent."
            )
        required = field.required and not partial and field_name != "organisation"
        if required:
            definitions[field_name] = (python_type, PydanticField(description=description, **constraints))
        else:
            definitions[field_name] = (
                python_type | None,
                PydanticField(default=None, description=description, **constraints),
            )
    if partial and versions.is_versioned(form._meta.model):
        definitions["version"] = (
            int | None,
            PydanticField(
                default=None,
                description="The version of the record your changes start from (as you read it). When "
                "the record has changed since, nothing is saved and the answer is 409.",
                ge=1,
                le=MAX_ID,
            ),
        )
    model = create_model(name, __config__=ConfigDict(extra="forbid"), **definitions)
    return model.model_json_schema()


@cache
def kind_schema(kind: str) -> KindSchema:
    # Descriptions in the OpenAPI document are for developers, in English, whoever asked first.
    with translation.override("en"):
        spec, form = KINDS[kind], FORMS[kind]
        model = spec.model
        names = {f.name for f in model._meta.get_fields()}
        # A form field that is not the record's (the consent a case form records at intake) is input only.
        edited = tuple(n for n in form.base_fields if n in names)
        extra = tuple(n for n in READ_ONLY if n in names) + EXTRA_READ_ONLY.get(kind, ())
        detail = edited + extra
        summary = tuple(n for n in detail if not _is_private(model._meta.get_field(n)))
        m2m = tuple(n for n in detail if model._meta.get_field(n).many_to_many)
        name = camel(kind)
        detail_model = _output_model(f"{name}Record", spec, detail)
        summary_model = detail_model if summary == detail else _output_model(f"{name}Summary", spec, summary)
        page_model = create_model(
            f"{name}Page",
            __base__=Schema,
            count=(int, PydanticField(description="How many records match the filters, on all pages.")),
            page=(int, ...),
            page_size=(int, ...),
            pages=(int, PydanticField(description="How many pages there are (at least 1).")),
            results=(list[summary_model], ...),  # type: ignore[valid-type]
        )
        return KindSchema(
            spec=spec,
            form=form,
            summary_fields=summary,
            detail_fields=detail,
            m2m_fields=m2m,
            has_programme="programme" in names,
            detail_model=detail_model,
            summary_model=summary_model,
            page_model=page_model,
            create_body=_body_schema(f"New{name}", form, partial=False),
            change_body=_body_schema(f"{name}Changes", form, partial=True),
        )


def record_data(schema: KindSchema, obj: Any, *, detail: bool) -> dict[str, Any]:
    """A record as the API shows it: related records by id, programmes by slug, many-to-many as id lists."""
    out: dict[str, Any] = {"id": obj.pk}
    for name in schema.detail_fields if detail else schema.summary_fields:
        field = schema.field(name)
        if field.many_to_many:
            out[name] = sorted(related.pk for related in getattr(obj, name).all())
        elif name == "programme":
            out[name] = obj.programme.slug
        elif field.is_relation:
            out[name] = getattr(obj, field.attname)
        else:
            out[name] = getattr(obj, name)
    return out


# Checking a body's JSON types ------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def type_problem(field: forms.Field, value: Any) -> str | None:
    """Why a JSON value cannot be a value of this form field, or None. `null` always means "empty"."""
    if value is None:
        return None
    if isinstance(field, forms.ModelMultipleChoiceField):
        if isinstance(value, list) and all(_is_int(v) for v in value):
            return None
        return _("Give a list of record ids (whole numbers).")
    if isinstance(field, forms.ModelChoiceField):
        return None if _is_int(value) else _("Give the id of a record (a whole number).")
    if isinstance(field, forms.BooleanField):
        return None if isinstance(value, bool) else _("Give true or false.")
    if isinstance(field, forms.IntegerField):
        return None if _is_int(value) else str(field.error_messages["invalid"])
    if not isinstance(value, str):
        if isinstance(field, forms.DateField):
            return str(field.error_messages["invalid"])
        return _("Give text here.")
    if not _encodable(value):
        return _("The text contains characters that cannot be stored.")
    return None
