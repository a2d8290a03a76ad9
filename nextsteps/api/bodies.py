"""Reading a JSON body whose values a Django form validates: the records API (nextsteps/api/records.py), the
case file, referrals and identification all check bodies the same way, with the same messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from nextsteps.api.errors import BadRequest, Conflict, from_django, invalid
from nextsteps.api.schemas import MAX_ID, type_problem
from nextsteps.records import versions

F = TypeVar("F", bound=forms.BaseForm)
T = TypeVar("T")
ISO_DATE = ["%Y-%m-%d"]


def json_object(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        raise BadRequest(_("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise BadRequest(_("The request body must be a JSON object."))
    return body


def read_version(body: dict[str, Any]) -> int | None:
    """The version the client's change starts from (taken out of the body), or None when it sends none."""
    if "version" not in body:
        return None
    value = body.pop("version")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:
        raise invalid({"version": [_("Give the version of the record you read (a whole number).")]})
    return value


def checked_body(
    request: HttpRequest,
    form: type[forms.Form] | type[forms.ModelForm[Any]],
    *,
    versioned_model: Any = None,
    extra: tuple[str, ...] = (),
) -> tuple[dict[str, Any], int | None]:
    """The JSON object sent, each value of the JSON type its field takes, and the version the change starts
    from. `version` is a field only when the changed record's model carries one (nextsteps/records/versions.py)."""
    body = json_object(request)
    takes_version = versioned_model is not None and versions.is_versioned(versioned_model)
    errors: dict[str, list[str]] = {}
    for name, value in body.items():
        if (name == "version" and takes_version) or name in extra:
            continue
        field = form.base_fields.get(name)
        problem = _("There is no such field.") if field is None else type_problem(field, value)
        if problem:
            errors[name] = [problem]
    if errors:
        raise invalid(errors)
    return body, read_version(body) if takes_version else None


def valid(form: F) -> F:
    """The form, validated with ISO dates only (whatever the user's language: "03-04-2021" must not mean one
    day to a Dutch user's script and nothing to an English one's), or a 422 naming each field."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.input_formats = ISO_DATE
    if not form.is_valid():
        raise invalid({name: [str(m) for m in messages] for name, messages in form.errors.items()})
    return form


def written(write: Callable[[], T]) -> T:
    """Run an action; a stale edit becomes a 409, the model's and the action's refusals a 422 naming the
    field."""
    try:
        return write()
    except versions.StaleEdit as stale:
        raise Conflict(stale.api_message()) from None
    except ValidationError as error:
        raise invalid(from_django(error)) from None
