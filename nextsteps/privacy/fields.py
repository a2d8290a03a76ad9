"""Model fields whose values are stored as Fernet tokens and read back as plain str.

Python code sees the plain text; the database only ever receives tokens, written by get_db_prep_save, which
save(), create(), bulk_create(), bulk_update() and update() all go through. With no key configured the
save fails (KeyConfigError) rather than store the text unencrypted.

The empty string is stored as it is, so that "no name recorded" stays a cheap `field=""` filter and erasing
a value leaves nothing to decrypt. Any other comparison in SQL would compare random-looking tokens and
silently match nothing, so those lookups raise an error that points to the keyed-hash search instead.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Lookup
from django.db.models.lookups import Exact, IsNull
from django.utils.translation import gettext as _

from nextsteps.privacy import crypto


class EmptyOnlyExact(Exact):
    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(_lookup_message(self.lhs.target.name))
        return super().get_prep_lookup()


@functools.cache
def _refused(lookup: type[Lookup[Any]]) -> type[Lookup[Any]]:
    """The lookup, refusing to be built: tools may still ask which lookups exist without an error."""

    def refuse(self: Lookup[Any], lhs: Any, rhs: Any) -> None:
        raise FieldError(_lookup_message(getattr(getattr(lhs, "target", None), "name", "?")))

    return type(f"Refused{lookup.__name__}", (lookup,), {"__init__": refuse})


def _lookup_message(name: str) -> str:
    return _(
        "“%(field)s” is encrypted in the database: it can only be compared with the empty string. "
        "Search names with nextsteps.privacy.search.persons_matching."
    ) % {"field": name}


class EncryptedMixin:
    """Shared by the text and char variants: encrypt on the way in, decrypt on the way out."""

    model: Any
    column: str
    name: str

    def get_internal_type(self) -> str:
        # Tokens are about 1.4 times the text plus 100 characters: a length-limited column would cut them.
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, where=f"{self.model._meta.db_table}.{self.column}")

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if hasattr(value, "as_sql") or hasattr(value, "resolve_expression"):
            return value
        value = self.get_prep_value(value)  # type: ignore[attr-defined]
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return EmptyOnlyExact
        found = super().get_lookup(lookup_name)  # type: ignore[misc]
        if found is None or found is IsNull:
            return found
        return _refused(found)

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedTextField(EncryptedMixin, models.TextField):  # type: ignore[misc]
    """Free text about a person: notes, stories, addresses."""


class EncryptedCharField(EncryptedMixin, models.CharField):  # type: ignore[misc]
    """A short identifying value (a name, a phone number); max_length limits the plain text in forms."""


def encrypted_fields() -> list[tuple[type[models.Model], list[models.Field[Any, Any]]]]:
    """Every concrete model with encrypted fields, and those fields: what rotation and checks go over."""
    from django.apps import apps

    found: list[tuple[type[models.Model], list[models.Field[Any, Any]]]] = []
    for model in apps.get_models():
        fields: list[models.Field[Any, Any]] = [
            f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)
        ]
        if fields and not model._meta.proxy:
            found.append((model, fields))
    return found
