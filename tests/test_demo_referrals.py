"""The demo's referral: the Dutch office asked IJM Romania for legal support and IJM declined, so IJM sees
neither the referral nor the case, while the Dutch office sees the answer."""

from __future__ import annotations

import pytest

from nextsteps.accounts import access
from nextsteps.programmes.models import Programme
from nextsteps.referrals.models import Referral
from tests.referrals import user

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_declined_referral_from_the_dutch_office_to_ijm(demo: Programme) -> None:
    referral = Referral.objects.get(state=Referral.State.DECLINED)
    assert (referral.from_organisation.slug, referral.to_organisation.slug) == ("next-steps-nl", "ijm-ro")
    assert referral.decline_reason and referral.days_to_answer == 3
    assert access.referrals(user("coordinator")).filter(pk=referral.pk).exists()
    assert not access.referrals(user("caseworker.ijm")).filter(pk=referral.pk).exists()
    assert not access.scoped(user("caseworker.ijm"), "case").filter(pk=referral.case_id).exists()
