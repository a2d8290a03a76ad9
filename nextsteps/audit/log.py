"""Writing audit entries. Callers are the actions layer and the organisation-scoped read helpers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from nextsteps.audit.models import AuditEntry


def organisation_of(instance: Model) -> Any:
    """The organisation a record belongs to, found through the usual paths, or None."""
    for path in ("organisation", "case", "visit", "pillar"):
        target = getattr(instance, path, None)
        if target is None:
            continue
        if path == "organisation":
            return target
        return organisation_of(target)
    return None


def log(
    action: str,
    instance: Model,
    *,
    user: Any = None,
    organisation: Any = None,
    fields: Iterable[str] = (),
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        model=instance._meta.label,
        object_pk=str(instance.pk),
        user=user if getattr(user, "is_authenticated", False) else None,
        organisation=organisation if organisation is not None else organisation_of(instance),
        fields=sorted(fields),
    )
