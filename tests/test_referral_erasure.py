"""Erasing a person empties the messages and decline reasons of the referrals of her cases; the referrals
themselves (who asked whom for what, and the answer) stay, as the figures count them."""

from __future__ import annotations

import pytest

from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.erasure import erase_person
from nextsteps.referrals.actions import decline_referral
from nextsteps.referrals.models import Referral
from tests.referrals import sent_referral, user

pytestmark = pytest.mark.django_db


def test_erasure_empties_her_referrals_messages_and_keeps_the_referrals() -> None:
    referral = decline_referral(
        acting_user=user("caseworker.ijm"), referral=sent_referral(), reason="We cannot reach Iași in time."
    )
    erase_person(referral.case.person, acting_user=None)
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.message == "" and referral.decline_reason == ""
    assert referral.state == Referral.State.DECLINED and referral.services.count() == 2
    changed = AuditEntry.objects.filter(
        model="referrals.Referral", object_pk=str(referral.pk), action=AuditEntry.Action.CHANGE
    ).values_list("fields", flat=True)
    assert ["decline_reason", "message"] in list(changed)
