"""The Referrals page: the receiving organisation's inbox (its count in the menu) and the sender's list with
each referral's state."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nextsteps.referrals import actions
from nextsteps.referrals.models import Referral
from tests.referrals import sent_referral, user

pytestmark = pytest.mark.django_db


def test_the_receiver_sees_the_referral_waiting_and_its_count_in_the_menu(
    login: Callable[[str], Client],
) -> None:
    referral = sent_referral()
    page = login("caseworker.ijm").get(reverse("referrals:index"))
    assert page.context["waiting"] == [referral]
    assert page.context["referral_inbox_count"] == 1
    assert reverse("referrals:detail", args=[referral.pk]) in page.content.decode()


def test_other_organisations_do_not_see_it(login: Callable[[str], Client]) -> None:
    referral = sent_referral()
    page = login("caseworker.sa").get(reverse("referrals:index"))
    assert referral not in [*page.context["waiting"], *page.context["received"], *page.context["sent"]]
    assert page.context["referral_inbox_count"] == 0


def test_the_sender_sees_each_referrals_state(login: Callable[[str], Client]) -> None:
    referral = actions.decline_referral(
        acting_user=user("caseworker.ijm"), referral=sent_referral(), reason="No places."
    )
    page = login("coordinator").get(reverse("referrals:index"))
    assert referral in page.context["sent"]
    with translation.override("nl"):  # the coordinator reads Dutch
        assert f"<td>{Referral.State.DECLINED.label}</td>" in page.content.decode()
    ijm = login("caseworker.ijm").get(reverse("referrals:index"))
    assert referral not in [*ijm.context["waiting"], *ijm.context["received"]]


def test_roles_that_do_not_read_cases_have_no_referrals_page(login: Callable[[str], Client]) -> None:
    assert login("outreach.sa").get(reverse("referrals:index")).status_code == 404


def test_the_dashboard_says_how_many_referrals_wait_for_an_answer(login: Callable[[str], Client]) -> None:
    sent_referral()
    page = login("caseworker.ijm").get(reverse("home")).content.decode()
    with translation.override("ro"):  # caseworker.ijm works in Romanian
        expected = translation.ngettext(
            "%(counter)s referral is waiting for your answer.",
            "%(counter)s referrals are waiting for your answer.",
            1,
        ) % {"counter": 1}
    assert expected in page and reverse("referrals:index") in page
    assert "referrals-waiting" not in login("caseworker.sa").get(reverse("home")).content.decode()
