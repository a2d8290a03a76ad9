"""A referral's page and the pages of its steps: accept, decline (with a reason), withdraw, record what is
delivered on it, complete; every step shows on both organisations' case timelines."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nextsteps.records import models as m
from nextsteps.referrals.models import Referral
from nextsteps.referrals.timeline import case_section_context, timeline_items
from tests.referrals import TODAY, sent_referral, user

pytestmark = pytest.mark.django_db


def url(name: str, referral: Referral) -> str:
    return reverse(f"referrals:{name}", args=[referral.pk])


def test_the_receiver_accepts_records_a_service_and_completes(login: Callable[[str], Client]) -> None:
    referral = sent_referral()
    ijm = login("caseworker.ijm")
    assert ijm.post(url("accept", referral)).status_code == 302
    assert ijm.get(reverse("records:case-detail", args=[referral.case_id])).status_code == 200
    legal = m.ServiceType.objects.get(code="legal_support")
    response = ijm.post(url("service", referral), {"service_type": legal.pk, "date": TODAY.isoformat()})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.receiving_case is not None
    assert referral.receiving_case.services.filter(service_type=legal).count() == 1
    assert ijm.post(url("complete", referral)).status_code == 302
    referral.refresh_from_db()
    assert referral.state == Referral.State.COMPLETED
    page = ijm.get(url("detail", referral)).content.decode()
    assert str(legal) in page


def test_a_future_service_date_is_refused_with_a_message(login: Callable[[str], Client]) -> None:
    referral = sent_referral()
    ijm = login("caseworker.ijm")
    ijm.post(url("accept", referral))
    legal = m.ServiceType.objects.get(code="legal_support")
    response = ijm.post(url("service", referral), {"service_type": legal.pk, "date": "2999-01-01"})
    assert response.status_code == 200 and b'class="errors"' in response.content
    assert not m.ServiceDelivery.objects.filter(date="2999-01-01").exists()


def test_declining_needs_a_reason_and_then_the_receiver_gets_404(login: Callable[[str], Client]) -> None:
    referral = sent_referral()
    ijm = login("caseworker.ijm")
    response = ijm.post(url("decline", referral), {"reason": ""})
    assert response.status_code == 200 and b'class="errors"' in response.content
    assert ijm.post(url("decline", referral), {"reason": "No places until spring."}).status_code == 302
    assert ijm.get(url("detail", referral)).status_code == 404
    assert ijm.get(reverse("records:case-detail", args=[referral.case_id])).status_code == 404
    sender = login("coordinator").get(url("detail", referral)).content.decode()
    assert "No places until spring." in sender


def test_the_sender_withdraws_before_an_answer_only(login: Callable[[str], Client]) -> None:
    referral = sent_referral()
    coordinator = login("coordinator")
    assert coordinator.post(url("withdraw", referral)).status_code == 302
    referral.refresh_from_db()
    assert referral.state == Referral.State.WITHDRAWN
    # Asking again says why it cannot be done rather than failing.
    response = coordinator.post(url("withdraw", referral))
    assert response.status_code == 200 and b'class="errors"' in response.content


def test_every_step_shows_on_both_organisations_case_timelines(login: Callable[[str], Client]) -> None:
    referral = sent_referral()
    ijm = login("caseworker.ijm")
    ijm.post(url("accept", referral))
    ijm.post(url("complete", referral))
    referral.refresh_from_db()
    translation.activate("en")  # the pages above spoke the persona's language
    sender_items = [item.text for item in timeline_items(user("coordinator"), referral.case)]
    receiver_items = [item.text for item in timeline_items(user("caseworker.ijm"), referral.receiving_case)]
    assert len(sender_items) == 3 and sender_items == receiver_items
    assert "accepted" in sender_items[1] and "completed" in sender_items[2]
    assert timeline_items(user("caseworker.sa"), referral.case) == []


def test_the_case_pages_timelines_show_the_referrals_steps(login: Callable[[str], Client]) -> None:
    referral = sent_referral()
    ijm = login("caseworker.ijm")
    ijm.post(url("accept", referral))
    referral.refresh_from_db()
    assert referral.receiving_case is not None
    detail = reverse("referrals:detail", args=[referral.pk])
    for client, case in ((login("coordinator"), referral.case), (ijm, referral.receiving_case)):
        timeline = client.get(reverse("casework:case", args=[case.pk])).context["timeline"]
        steps = [item for item in timeline if item["url"] == detail]
        assert [item["date"] for item in steps] == [TODAY, TODAY]
        assert [item["date"] for item in timeline] == sorted(
            (item["date"] for item in timeline), reverse=True
        )


def test_the_case_section_lists_the_referrals_and_offers_to_refer() -> None:
    referral = sent_referral()
    coordinator = user("coordinator")
    html = render_to_string(
        "referrals/_case_section.html",
        {"case": referral.case, **case_section_context(coordinator, referral.case)},
    )
    assert reverse("referrals:detail", args=[referral.pk]) in html
    assert reverse("referrals:refer", args=[referral.case_id]) in html
    # The receiver reads the referral but does not refer the other organisation's case.
    assert not case_section_context(user("caseworker.ijm"), referral.case)["can_refer"]
