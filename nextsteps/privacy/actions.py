"""Writes about a person's consents, shared cases and erasure: atomic, with the acting user, and audited,
like nextsteps/records/actions.py (whose functions these build on). Views and commands call them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from nextsteps.privacy.consents import sharing_refusal
from nextsteps.privacy.erasure import AlreadyErased, erase_person
from nextsteps.privacy.models import CaseShare, Consent
from nextsteps.programmes.models import Organisation
from nextsteps.records import actions
from nextsteps.records.models import Case, Person

__all__ = ["AlreadyErased", "erase_person", "record_consent", "share_case", "withdraw_consent"]


@transaction.atomic
def record_consent(
    *,
    acting_user: Any,
    person: Person,
    purpose: str,
    given_on: dt.date,
    given_by: str = Consent.GivenBy.PERSON,
    expires_on: dt.date | None = None,
    shared_with: Organisation | None = None,
) -> Consent:
    """Record a consent; it belongs to the person's organisation, which answers for it."""
    return actions.create_record(
        Consent,
        acting_user=acting_user,
        person=person,
        purpose=purpose,
        given_by=given_by,
        given_on=given_on,
        expires_on=expires_on,
        shared_with=shared_with,
        organisation=person.organisation,
    )


@transaction.atomic
def withdraw_consent(*, acting_user: Any, consent: Consent, on: dt.date) -> Consent:
    if consent.withdrawn_on is not None:
        raise ValidationError({"withdrawn_on": _("This consent was withdrawn already.")})
    if on > dt.date.today():
        raise ValidationError({"withdrawn_on": _("A consent cannot be withdrawn in the future.")})
    return actions.update_record(consent, acting_user=acting_user, withdrawn_on=on)


@transaction.atomic
def share_case(
    *, acting_user: Any, case: Case, organisation: Organisation, on: dt.date | None = None
) -> CaseShare:
    """Share a case with another organisation, which needs the person's valid consent to share with exactly
    that organisation; the refusal names the missing consent."""
    on = on or dt.date.today()
    if organisation.pk == case.organisation_id:
        raise ValidationError({"organisation": _("A case cannot be shared with its own organisation.")})
    if on > dt.date.today():
        raise ValidationError({"organisation": _("A case cannot be shared on a future date.")})
    refusal = sharing_refusal(case.person, organisation, on)
    if refusal:
        raise ValidationError({"organisation": refusal})
    existing = CaseShare.objects.filter(case=case, organisation=organisation).first()
    if existing is not None:
        return existing
    return actions.create_record(
        CaseShare,
        acting_user=acting_user,
        case=case,
        organisation=organisation,
        shared_on=on,
        shared_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
