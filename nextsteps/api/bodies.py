"""Reading a JSON body for an operation whose values a plain Django form validates (the case file, referrals):
the same checks and messages as the records API (nextsteps/api/records.py), for forms that are not records'.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext as _

from nextsteps.api.errors import BadRequest, invalid
from nextsteps.api.records import ISO_DATE, read_version
from nextsteps.api.schemas import type_problem
from nextsteps.records import versions

F = TypeVar("F", bound=forms.BaseForm)


def json_object(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        raise BadRequest(_("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise BadRequest(_("The request body must be a JSON object."))
    return body


def checked_body(
    request: HttpRequest, form: type[forms.Form] | type[forms.ModelForm[Any]], *, versioned_model: Any = None
) -> tuple[dict[str, Any], int | None]:
    """The JSON object sent, each value of the JSON type its field takes, and the version the change starts
    from. `version` is a field only when the changed record's model carries one (nextsteps/records/versions.py)."""
    body = json_object(request)
    takes_version = versioned_model is not None and versions.is_versioned(versioned_model)
    errors: dict[str, list[str]] = {}
    for name, value in body.items():
        if name == "version" and takes_version:
            continue
        field = form.base_fields.get(name)
        problem = _("There is no such field.") if field is None else type_problem(field, value)
        if problem:
            errors[name] = [problem]
    if errors:
        raise invalid(errors)
    return body, read_version(body) if takes_version else None


def valid(form: F) -> F:
    """The form, validated with ISO dates only (whatever the user's language), or a 422 naming each field."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.input_formats = ISO_DATE
    if not form.is_valid():
        raise invalid({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    return form
