"""The "refer" page of a case: without the person's consent to share with exactly the chosen organisation it
says which consent is missing and offers to record it; with it, the referral is sent."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.records import models as m
from nextsteps.referrals.models import Referral
from tests.referrals import consent_to_share, nl_case, org

pytestmark = pytest.mark.django_db


def form(**extra: object) -> dict[str, object]:
    return {
        "to_organisation": org("ijm-ro").pk,
        "services": [m.ServiceType.objects.get(code="legal_support").pk],
        "reason": "specialist",
        "urgency": "normal",
        "message": "",
        **extra,
    }


def test_without_consent_the_page_names_it_offers_to_record_it_and_stores_nothing(
    login: Callable[[str], Client],
) -> None:
    case = nl_case()
    client = login("coordinator")
    client.post(reverse("accounts:language"), {"language": "ro", "next": "/"})
    response = client.post(reverse("referrals:refer", args=[case.pk]), form())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Consimțământ lipsă" in page or "consimțământ" in page.lower()
    assert case.person.code in page
    consent_url = f"{reverse('privacy:consent-add', args=[case.person_id])}?purpose=sharing&amp;shared_with={org('ijm-ro').pk}"
    assert consent_url in page
    offered = client.get(consent_url.replace("&amp;", "&")).context["form"]
    assert offered["purpose"].value() == "sharing" and str(offered["shared_with"].value()) == str(
        org("ijm-ro").pk
    )
    assert not Referral.objects.filter(case=case).exists()


def test_with_consent_the_case_is_referred(login: Callable[[str], Client]) -> None:
    case = nl_case()
    consent_to_share(case)
    response = login("coordinator").post(
        reverse("referrals:refer", args=[case.pk]), form(message="Needs a lawyer in Bucharest.")
    )
    referral = Referral.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == reverse(
        "referrals:detail", args=[referral.pk]
    )
    assert referral.to_organisation.slug == "ijm-ro" and referral.message == "Needs a lawyer in Bucharest."


def test_a_referral_without_a_service_is_refused_with_a_message(login: Callable[[str], Client]) -> None:
    case = nl_case()
    consent_to_share(case)
    response = login("coordinator").post(reverse("referrals:refer", args=[case.pk]), form(services=[]))
    assert response.status_code == 200 and b'class="errors"' in response.content
    assert not Referral.objects.filter(case=case).exists()
