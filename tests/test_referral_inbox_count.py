"""The number of referrals waiting for the user's answer, shown in the menu on every page (written out in SQL,
`access.referral_inbox_count`): those sent to any organisation where the user may change cases, and no
other: not answered ones, not those sent by the user's organisations, none for roles without cases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nextsteps.accounts import access
from nextsteps.accounts.models import Membership, Role
from nextsteps.referrals import actions
from nextsteps.referrals.models import Referral
from tests.referrals import nl_case, org, sent_referral, user

pytestmark = pytest.mark.django_db

PERSONAS = ("coordinator", "caseworker.sa", "caseworker.ijm", "volunteers.dorcas", "viewer", "admin")


def expected(username: str) -> int:
    orgs = access.organisations_for(user(username), "case", access.CHANGE)
    return Referral.objects.filter(to_organisation__in=orgs, state=Referral.State.SENT).count()


def test_it_counts_what_waits_for_each_persona_and_nothing_else() -> None:
    waiting = sent_referral()
    answered = actions.decline_referral(
        acting_user=user("caseworker.ijm"), referral=sent_referral(), reason="No places."
    )
    assert waiting.to_organisation == answered.to_organisation == org("ijm-ro")
    for username in PERSONAS:
        assert access.referral_inbox_count(user(username)) == expected(username), username
    assert access.referral_inbox_count(user("caseworker.ijm")) >= 1
    # The sender's caseworkers wait for nothing: their referral waits in IJM's inbox.
    assert access.referral_inbox_count(user("caseworker.sa")) == expected("caseworker.sa")


def test_a_user_of_two_organisations_counts_both_inboxes_in_one_query() -> None:
    sent_referral()
    sent_referral(nl_case(), slug="salvation-army-ro")
    ijm = user("caseworker.ijm")
    Membership.objects.create(user=ijm, organisation=org("salvation-army-ro"), role=Role.CASEWORKER)
    ijm = user("caseworker.ijm")
    with CaptureQueriesContext(connection) as captured:
        count = access.referral_inbox_count(ijm)
    assert count == expected("caseworker.ijm") >= 2
    assert len([q for q in captured if "referral" in q["sql"]]) == 1


def test_roles_without_cases_ask_nothing() -> None:
    viewer = user("viewer")
    access.memberships(viewer)
    with CaptureQueriesContext(connection) as captured:
        assert access.referral_inbox_count(viewer) == 0
    assert not captured.captured_queries
