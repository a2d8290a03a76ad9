"""What a referral opens to the receiving organisation: the referral while it waits for an answer, the case
(read-only, like a share) once accepted, and nothing once declined or withdrawn."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts import access
from nextsteps.referrals import actions
from tests.referrals import sent_referral, user

pytestmark = pytest.mark.django_db


def case_page(client: Client, pk: int) -> int:
    return client.get(reverse("records:case-detail", args=[pk])).status_code


def test_a_sent_referral_is_seen_by_both_organisations_and_no_other() -> None:
    referral = sent_referral()
    for username in ("coordinator", "caseworker.ijm"):
        assert access.referrals(user(username)).filter(pk=referral.pk).exists(), username
    for username in ("caseworker.sa", "volunteers.dorcas", "viewer", "admin"):
        assert not access.referrals(user(username)).filter(pk=referral.pk).exists(), username


def test_a_sent_referral_does_not_open_the_case_yet(login: Callable[[str], Client]) -> None:
    referral = sent_referral()
    assert case_page(login("caseworker.ijm"), referral.case_id) == 404


def test_an_accepted_referral_opens_the_case_to_the_receivers_case_staff_read_only(
    login: Callable[[str], Client],
) -> None:
    referral = actions.accept_referral(acting_user=user("caseworker.ijm"), referral=sent_referral())
    ijm = login("caseworker.ijm")
    assert case_page(ijm, referral.case_id) == 200
    assert ijm.get(reverse("records:case-edit", args=[referral.case_id])).status_code == 404
    assert ijm.get(reverse("records:person-detail", args=[referral.case.person_id])).status_code == 200
    assert case_page(login("caseworker.sa"), referral.case_id) == 404


def test_a_declined_referral_gives_the_receiver_nothing(login: Callable[[str], Client]) -> None:
    referral = actions.decline_referral(
        acting_user=user("caseworker.ijm"), referral=sent_referral(), reason="No places."
    )
    ijm = login("caseworker.ijm")
    assert case_page(ijm, referral.case_id) == 404
    assert not access.referrals(user("caseworker.ijm")).filter(pk=referral.pk).exists()
    assert access.referrals(user("coordinator")).filter(pk=referral.pk).exists()


def test_a_withdrawn_referral_disappears_from_the_receivers_inbox() -> None:
    referral = sent_referral()
    assert access.referral_inbox_count(user("caseworker.ijm")) >= 1
    before = access.referral_inbox_count(user("caseworker.ijm"))
    actions.withdraw_referral(acting_user=user("coordinator"), referral=referral)
    assert access.referral_inbox_count(user("caseworker.ijm")) == before - 1
    assert not access.referrals(user("caseworker.ijm")).filter(pk=referral.pk).exists()
