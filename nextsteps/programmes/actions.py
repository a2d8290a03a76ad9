"""Writes of what a coordinator sets for a programme: period narratives here, targets and hand-entered figures
in nextsteps/indicators/actions.py. Atomic, with the acting user, validated and audited like records.

`acting_user` is None only for the system; anyone else must plan the programme (a coordinator of one of its
organisations), and the audit entry names the organisation they act for.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import PeriodNarrative, Programme

M = TypeVar("M", bound=Model)


def acting_organisation(acting_user: Any, programme: Programme) -> Any:
    """The organisation the acting user plans this programme for; refuses anyone who does not plan it."""
    if acting_user is None:
        return None
    organisation = access.planning_organisation(acting_user, programme)
    if organisation is None:
        raise ValidationError(_("You do not plan the programme %(name)s.") % {"name": programme.name})
    return organisation


@transaction.atomic
def save_planned(
    instance: M, *, acting_user: Any, programme: Programme, changed: list[str] | None = None
) -> M:
    """Create (changed None) or change one planning row of `programme`, validated, and audit it."""
    organisation = acting_organisation(acting_user, programme)
    creating = instance.pk is None
    # The models' clean() checks duplicates with a message that says which; the database constraints
    # remain the last guard.
    instance.full_clean(validate_constraints=False)
    instance.save()
    if creating:
        fields = [f.name for f in instance._meta.concrete_fields if not f.primary_key]
        log(AuditEntry.Action.CREATE, instance, user=acting_user, organisation=organisation, fields=fields)
    elif changed:
        log(AuditEntry.Action.CHANGE, instance, user=acting_user, organisation=organisation, fields=changed)
    return instance


@transaction.atomic
def delete_planned(instance: Model, *, acting_user: Any, programme: Programme) -> None:
    organisation = acting_organisation(acting_user, programme)
    log(AuditEntry.Action.DELETE, instance, user=acting_user, organisation=organisation)
    instance.delete()


def save_narrative(
    narrative: PeriodNarrative, *, acting_user: Any, changed: list[str] | None = None
) -> PeriodNarrative:
    return save_planned(narrative, acting_user=acting_user, programme=narrative.programme, changed=changed)


def delete_narrative(narrative: PeriodNarrative, *, acting_user: Any) -> None:
    delete_planned(narrative, acting_user=acting_user, programme=narrative.programme)
