"""Every step of a referral, atomic, with the acting user and audited (see nextsteps/records/actions.py).
Views, the demo loader and tests call these; nothing else changes a referral's state.

`on` is the day of the step: today unless given (the demo loader records a past programme)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from nextsteps.privacy.actions import share_case
from nextsteps.privacy.consents import sharing_refusal
from nextsteps.programmes.models import Organisation
from nextsteps.records import actions
from nextsteps.records.models import Case, Outcome, OutcomeType, ServiceDelivery, ServiceType
from nextsteps.referrals.models import Referral

State = Referral.State


def _user(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


class StepNotPossible(ValidationError):
    """The referral's state no longer allows the step (the API answers 409: someone answered it first)."""


def _require_state(referral: Referral, *states: str) -> None:
    """Refuse a step the referral's stored state no longer allows. Two people may answer the same referral
    at once, each from a page loaded while it was sent: the state is read again under the row lock
    (PostgreSQL; SQLite's write lock is held from the start of the transaction), so only the first passes
    and the second is refused rather than writing over the first's answer."""
    stored = Referral.objects.select_for_update().filter(pk=referral.pk).values_list("state", flat=True)
    for state in stored:
        referral.state = state
    if referral.state not in states:
        raise StepNotPossible(
            _("This referral is %(state)s already: the step is no longer possible.")
            % {"state": referral.get_state_display()}
        )


@transaction.atomic
def send_referral(
    *,
    acting_user: Any,
    case: Case,
    to_organisation: Organisation,
    services: Iterable[ServiceType],
    reason: str,
    urgency: str = Referral.Urgency.NORMAL,
    message: str = "",
    on: dt.date | None = None,
) -> Referral:
    """Refer a case to another organisation of its programme. It needs the person's consent to share with
    exactly that organisation on the day; the refusal names the missing consent."""
    on = on or dt.date.today()
    services = list(services)
    if not services:
        raise ValidationError({"services": _("Choose at least one service to ask for.")})
    if to_organisation.pk == case.organisation_id:
        raise ValidationError({"to_organisation": _("A case cannot be referred to its own organisation.")})
    if not case.programme.organisations.filter(pk=to_organisation.pk).exists():
        raise ValidationError(
            {
                "to_organisation": _("%(organisation)s does not work in this case's programme.")
                % {"organisation": to_organisation}
            }
        )
    if case.status != Case.Status.OPEN:
        raise ValidationError({"to_organisation": _("A closed case cannot be referred.")})
    if on < case.opened:
        raise ValidationError({"sent_on": _("A case cannot be referred before it opened.")})
    refusal = sharing_refusal(case.person, to_organisation, on)
    if refusal:
        raise ValidationError({"to_organisation": refusal})
    return actions.create_record(
        Referral,
        acting_user=acting_user,
        case=case,
        from_organisation=case.organisation,
        to_organisation=to_organisation,
        services=services,
        reason=reason,
        urgency=urgency,
        message=message,
        sent_on=on,
        sent_by=_user(acting_user),
    )


@transaction.atomic
def withdraw_referral(*, acting_user: Any, referral: Referral, on: dt.date | None = None) -> Referral:
    """The sender takes a referral back before it is answered; the receiver no longer sees it."""
    _require_state(referral, State.SENT)
    return actions.update_record(
        referral,
        acting_user=acting_user,
        state=State.WITHDRAWN,
        withdrawn_on=on or dt.date.today(),
        withdrawn_by=_user(acting_user),
    )


@transaction.atomic
def accept_referral(
    *, acting_user: Any, referral: Referral, on: dt.date | None = None, receiving_case: Case | None = None
) -> Referral:
    """The receiving organisation accepts: the case is shared with it (on the same consent, which must still
    hold) and it gets a case of its own for the person, on which it records what it delivers: its open case
    for the person in the programme if it has one (or the one given), else a new one."""
    _require_state(referral, State.SENT)
    on = on or dt.date.today()
    share_case(acting_user=acting_user, case=referral.case, organisation=referral.to_organisation, on=on)
    if receiving_case is None:
        # A person referred again to the same organisation keeps the one case there.
        receiving_case = Case.objects.filter(
            programme=referral.case.programme_id,
            organisation=referral.to_organisation_id,
            person=referral.case.person_id,
            status=Case.Status.OPEN,
        ).first()
    if receiving_case is None:
        receiving_case = actions.create_record(
            Case,
            acting_user=acting_user,
            programme=referral.case.programme,
            organisation=referral.to_organisation,
            person=referral.case.person,
            opened=on,
            # The case opens on the person's consent for services like any other, or on the reason the
            # sender recorded why it could not be asked (tests/test_case_consent_rule.py).
            consent_not_asked_reason=referral.case.consent_not_asked_reason,
        )
    elif (
        receiving_case.organisation_id != referral.to_organisation_id
        or receiving_case.person_id != referral.case.person_id
    ):
        raise ValidationError(
            _("The receiving case must be the receiving organisation's, for the same person.")
        )
    return actions.update_record(
        referral,
        acting_user=acting_user,
        state=State.ACCEPTED,
        answered_on=on,
        answered_by=_user(acting_user),
        receiving_case=receiving_case,
    )


@transaction.atomic
def decline_referral(
    *, acting_user: Any, referral: Referral, reason: str, on: dt.date | None = None
) -> Referral:
    """The receiving organisation declines, saying why; it gets no access to the case."""
    _require_state(referral, State.SENT)
    if not reason.strip():
        raise ValidationError({"decline_reason": _("Say why the referral is declined.")})
    return actions.update_record(
        referral,
        acting_user=acting_user,
        state=State.DECLINED,
        answered_on=on or dt.date.today(),
        answered_by=_user(acting_user),
        decline_reason=reason.strip(),
    )


@transaction.atomic
def complete_referral(*, acting_user: Any, referral: Referral, on: dt.date | None = None) -> Referral:
    """The receiving organisation has delivered what was asked for."""
    _require_state(referral, State.ACCEPTED)
    return actions.update_record(
        referral,
        acting_user=acting_user,
        state=State.COMPLETED,
        completed_on=on or dt.date.today(),
        completed_by=_user(acting_user),
    )


def _check_delivery_date(referral: Referral, date: dt.date) -> None:
    _require_state(referral, State.ACCEPTED)
    assert referral.answered_on is not None
    if date < referral.answered_on:
        raise ValidationError({"date": _("Record only what was delivered after the referral was accepted.")})


@transaction.atomic
def record_referral_service(
    *, acting_user: Any, referral: Referral, service_type: ServiceType, date: dt.date, note: str = ""
) -> ServiceDelivery:
    """A service the receiving organisation delivered on the referral, on its own case for the person: it
    counts for that organisation, and the person once."""
    _check_delivery_date(referral, date)
    assert referral.receiving_case is not None
    return actions.record_service(
        acting_user=acting_user, case=referral.receiving_case, service_type=service_type, date=date, note=note
    )


@transaction.atomic
def record_referral_outcome(
    *, acting_user: Any, referral: Referral, outcome_type: OutcomeType, date: dt.date, note: str = ""
) -> Outcome:
    _check_delivery_date(referral, date)
    assert referral.receiving_case is not None
    return actions.create_record(
        Outcome,
        acting_user=acting_user,
        case=referral.receiving_case,
        outcome_type=outcome_type,
        date=date,
        note=note,
    )
