"""The steps of a referral: sent only on the person's consent to share with exactly that organisation,
withdrawn before an answer, accepted (which shares the case) or declined with a reason, then completed.
Every step is audited and only possible from the state before it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.actions import withdraw_consent
from nextsteps.privacy.models import CaseShare, Consent
from nextsteps.records import models as m
from nextsteps.referrals import actions
from nextsteps.referrals.models import Referral
from tests.referrals import TODAY, consent_to_share, nl_case, org, sent_referral, user

pytestmark = pytest.mark.django_db


def test_a_referral_without_consent_to_share_is_refused_naming_the_missing_consent() -> None:
    case = nl_case()
    consent_to_share(case, "dorcas-ro")  # another organisation's consent does not cover IJM
    with pytest.raises(ValidationError) as refused:
        actions.send_referral(
            acting_user=user("coordinator"),
            case=case,
            to_organisation=org("ijm-ro"),
            services=m.ServiceType.objects.filter(code="legal_support"),
            reason=Referral.Reason.SPECIALIST,
        )
    message = refused.value.message_dict["to_organisation"][0]
    assert case.person.code in message and "IJM Romania" in message
    assert not Referral.objects.filter(case=case).exists()


def test_a_referral_needs_a_service_and_another_organisation() -> None:
    case = nl_case()
    with pytest.raises(ValidationError) as no_service:
        actions.send_referral(
            acting_user=None, case=case, to_organisation=org("ijm-ro"), services=[], reason="other"
        )
    assert "services" in no_service.value.message_dict
    with pytest.raises(ValidationError) as own:
        actions.send_referral(
            acting_user=None,
            case=case,
            to_organisation=org("next-steps-nl"),
            services=m.ServiceType.objects.all()[:1],
            reason="other",
        )
    assert "to_organisation" in own.value.message_dict


def test_sending_stores_the_request_encrypted_and_audits_it() -> None:
    referral = sent_referral()
    assert referral.state == Referral.State.SENT
    assert referral.from_organisation.slug == "next-steps-nl"
    assert referral.sent_by == user("coordinator") and referral.sent_on == TODAY
    assert {s.code for s in referral.services.all()} == {"return_assistance", "legal_support"}
    assert Referral.objects.get(pk=referral.pk).message == "She wants to go home to Iași."
    with connection.cursor() as cursor:
        cursor.execute("SELECT message FROM referrals_referral WHERE id = %s", [referral.pk])
        assert "Iași" not in cursor.fetchone()[0]
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CREATE, model="referrals.Referral", object_pk=str(referral.pk)
    ).exists()


def test_a_second_open_referral_to_the_same_organisation_is_refused() -> None:
    referral = sent_referral()
    with pytest.raises(ValidationError):
        sent_referral(referral.case)


def test_the_sender_may_withdraw_before_an_answer_and_no_access_follows() -> None:
    referral = actions.withdraw_referral(acting_user=user("coordinator"), referral=sent_referral())
    assert referral.state == Referral.State.WITHDRAWN and referral.withdrawn_by == user("coordinator")
    assert not CaseShare.objects.filter(case=referral.case).exists()
    with pytest.raises(ValidationError):
        actions.accept_referral(acting_user=user("caseworker.ijm"), referral=referral)


def test_accepting_shares_the_case_and_opens_a_case_of_the_receiving_organisation() -> None:
    referral = actions.accept_referral(acting_user=user("caseworker.ijm"), referral=sent_referral())
    assert referral.state == Referral.State.ACCEPTED and referral.answered_on == TODAY
    assert CaseShare.objects.filter(case=referral.case, organisation=org("ijm-ro")).exists()
    receiving = referral.receiving_case
    assert receiving is not None
    assert receiving.organisation.slug == "ijm-ro" and receiving.person == referral.case.person
    with pytest.raises(ValidationError):
        actions.withdraw_referral(acting_user=user("coordinator"), referral=referral)


def test_declining_needs_a_reason_and_shares_nothing() -> None:
    referral = sent_referral()
    with pytest.raises(ValidationError) as refused:
        actions.decline_referral(acting_user=user("caseworker.ijm"), referral=referral, reason="  ")
    assert "decline_reason" in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.state == Referral.State.SENT
    referral = actions.decline_referral(
        acting_user=user("caseworker.ijm"), referral=referral, reason="No places until spring."
    )
    assert referral.state == Referral.State.DECLINED and referral.decline_reason == "No places until spring."
    assert not CaseShare.objects.filter(case=referral.case).exists()
    assert referral.receiving_case is None


def test_services_are_recorded_on_the_receiving_case_after_accepting_only() -> None:
    referral = sent_referral()
    legal = m.ServiceType.objects.get(code="legal_support")
    with pytest.raises(ValidationError):
        actions.record_referral_service(
            acting_user=user("caseworker.ijm"), referral=referral, service_type=legal, date=TODAY
        )
    referral = actions.accept_referral(acting_user=user("caseworker.ijm"), referral=referral)
    service = actions.record_referral_service(
        acting_user=user("caseworker.ijm"), referral=referral, service_type=legal, date=TODAY
    )
    assert service.case == referral.receiving_case
    referral = actions.complete_referral(acting_user=user("caseworker.ijm"), referral=referral)
    assert referral.state == Referral.State.COMPLETED and referral.completed_on == TODAY
    with pytest.raises(ValidationError):
        actions.record_referral_outcome(
            acting_user=user("caseworker.ijm"),
            referral=referral,
            outcome_type=m.OutcomeType.objects.get(code="returned_home"),
            date=TODAY,
        )


def test_every_step_is_audited() -> None:
    referral = sent_referral()
    actions.accept_referral(acting_user=user("caseworker.ijm"), referral=referral)
    actions.complete_referral(acting_user=user("caseworker.ijm"), referral=referral)
    changes = AuditEntry.objects.filter(
        action=AuditEntry.Action.CHANGE, model="referrals.Referral", object_pk=str(referral.pk)
    )
    assert changes.count() == 2


def test_accepting_after_the_consent_was_withdrawn_is_refused_and_shares_nothing() -> None:
    referral = sent_referral()
    consent = Consent.objects.get(person=referral.case.person, purpose="sharing", shared_with=org("ijm-ro"))
    withdraw_consent(acting_user=None, consent=consent, on=TODAY)
    with pytest.raises(ValidationError):
        actions.accept_referral(acting_user=user("caseworker.ijm"), referral=referral)
    referral.refresh_from_db()
    assert referral.state == Referral.State.SENT and referral.receiving_case is None
    assert not CaseShare.objects.filter(case=referral.case).exists()
    assert not m.Case.objects.filter(person=referral.case.person, organisation__slug="ijm-ro").exists()


def test_a_case_cannot_be_referred_before_it_opened() -> None:
    case = nl_case()
    consent_to_share(case)
    with pytest.raises(ValidationError) as refused:
        actions.send_referral(
            acting_user=None,
            case=case,
            to_organisation=org("ijm-ro"),
            services=m.ServiceType.objects.filter(code="legal_support"),
            reason="other",
            on=case.opened - dt.timedelta(days=1),
        )
    assert "sent_on" in refused.value.message_dict


def test_of_two_answers_given_at_once_only_the_first_stands() -> None:
    # Two people of IJM opened the referral while it was sent; one accepts, the other then declines it.
    sent = sent_referral()
    accepting, declining = Referral.objects.get(pk=sent.pk), Referral.objects.get(pk=sent.pk)
    accepted = actions.accept_referral(acting_user=user("caseworker.ijm"), referral=accepting)
    with pytest.raises(ValidationError) as refused:
        actions.decline_referral(acting_user=user("caseworker.ijm"), referral=declining, reason="No places.")
    assert "accepted" in refused.value.messages[0]
    stored = Referral.objects.get(pk=sent.pk)
    assert (stored.state, stored.receiving_case_id, stored.decline_reason) == (
        Referral.State.ACCEPTED,
        accepted.receiving_case_id,
        "",
    )


def test_the_sender_cannot_withdraw_a_referral_answered_since_the_page_was_opened() -> None:
    sent = sent_referral()
    withdrawing = Referral.objects.get(pk=sent.pk)
    actions.decline_referral(acting_user=user("caseworker.ijm"), referral=sent, reason="No places.")
    with pytest.raises(ValidationError):
        actions.withdraw_referral(acting_user=user("coordinator"), referral=withdrawing)
    assert Referral.objects.get(pk=sent.pk).state == Referral.State.DECLINED


def test_a_person_referred_again_to_the_same_organisation_keeps_its_one_case_there() -> None:
    first = sent_referral()
    actions.accept_referral(acting_user=user("caseworker.ijm"), referral=first)
    actions.complete_referral(acting_user=user("caseworker.ijm"), referral=first)
    first.refresh_from_db()
    again = sent_referral(first.case)
    actions.accept_referral(acting_user=user("caseworker.ijm"), referral=again)
    again.refresh_from_db()
    case = again.receiving_case
    assert case is not None and case == first.receiving_case
    assert list(case.referrals_received.order_by("pk")) == [first, again]
