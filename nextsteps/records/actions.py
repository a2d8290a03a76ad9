"""Every write to a record goes through these functions: atomic, with the acting user, and audited.

Views, commands and the API call them; nothing else saves records. `acting_user` is None only for the
system itself (the demo loader, a scheduled job), and the audit trail says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.records.models import (
    Case,
    Household,
    OutreachVisit,
    Person,
    ServiceDelivery,
    VisitPerson,
)

M = TypeVar("M", bound=Model)


@transaction.atomic
def create_record(model: type[M], *, acting_user: Any, validate: bool = True, **fields: Any) -> M:
    """Create one record of any kind, validated like a form would, and audit it."""
    m2m = {name: fields.pop(name) for name in list(fields) if _is_m2m(model, name)}
    return save_new(model(**fields), acting_user=acting_user, m2m=m2m, validate=validate)


@transaction.atomic
def save_new(instance: M, *, acting_user: Any, m2m: dict[str, Any] | None = None, validate: bool = True) -> M:
    """Save a record built elsewhere (e.g. by a form), with its many-to-many values, and audit it."""
    if validate:
        instance.full_clean()
    instance.save()
    for name, value in (m2m or {}).items():
        getattr(instance, name).set(value)
    fields = [f.name for f in instance._meta.concrete_fields if not f.primary_key]
    log(AuditEntry.Action.CREATE, instance, user=acting_user, fields=[*fields, *(m2m or {})])
    return instance


@transaction.atomic
def save_changes(
    instance: M, *, acting_user: Any, changed: list[str], m2m: dict[str, Any] | None = None
) -> M:
    """Save an edited record whose attributes are already set (e.g. by a form); audit the changed fields."""
    instance.full_clean()
    instance.save()
    for name, value in (m2m or {}).items():
        getattr(instance, name).set(value)
    if changed:
        log(AuditEntry.Action.CHANGE, instance, user=acting_user, fields=changed)
    return instance


@transaction.atomic
def update_record(instance: M, *, acting_user: Any, **changes: Any) -> M:
    m2m = {name: changes.pop(name) for name in list(changes) if _is_m2m(type(instance), name)}
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name, value in m2m.items():
        getattr(instance, name).set(value)
        changed.append(name)
    if changed:
        log(AuditEntry.Action.CHANGE, instance, user=acting_user, fields=changed)
    return instance


@transaction.atomic
def delete_record(instance: Model, *, acting_user: Any) -> None:
    # Log first: the entry must name the record while it still has its key.
    log(AuditEntry.Action.DELETE, instance, user=acting_user)
    instance.delete()


def _is_m2m(model: type[Model], name: str) -> bool:
    try:
        return bool(model._meta.get_field(name).many_to_many)
    except FieldDoesNotExist:
        return False


@transaction.atomic
def record_outreach_round(
    *,
    acting_user: Any,
    programme: Any,
    organisation: Any,
    date: dt.date,
    locality: str,
    site_type: Any,
    household: Household | None = None,
    persons: Iterable[Person] = (),
) -> OutreachVisit:
    """One visit with everyone reached on it: the most frequent thing outreach workers record."""
    visit = create_record(
        OutreachVisit,
        acting_user=acting_user,
        programme=programme,
        organisation=organisation,
        date=date,
        locality=locality,
        site_type=site_type,
        household=household,
    )
    people = list(persons)
    VisitPerson.objects.bulk_create([VisitPerson(visit=visit, person=p) for p in people])
    if people:
        log(AuditEntry.Action.CHANGE, visit, user=acting_user, fields=["persons"])
    return visit


@transaction.atomic
def record_service(
    *, acting_user: Any, case: Case, service_type: Any, date: dt.date, note: str = ""
) -> ServiceDelivery:
    if date > dt.date.today():
        raise ValidationError({"date": _("A service cannot be delivered in the future.")})
    return create_record(
        ServiceDelivery, acting_user=acting_user, case=case, service_type=service_type, date=date, note=note
    )
