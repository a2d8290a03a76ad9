"""The demo's referrals: the Dutch office asked IJM Romania for legal support and IJM declined, so IJM sees
neither the referral nor the case, while the Dutch office sees the answer; and it referred another woman for
return assistance and legal support, which IJM accepted, delivered on a case of its own and completed."""

from __future__ import annotations

import datetime as dt

import pytest

from nextsteps.accounts import access
from nextsteps.demo.programme import REPORT_END, REPORT_START
from nextsteps.programmes.models import Programme
from nextsteps.records.models import ServiceDelivery
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


def test_the_demo_has_a_completed_referral_from_the_dutch_office_to_ijm(demo: Programme) -> None:
    referral = Referral.objects.get(state=Referral.State.COMPLETED)
    assert (referral.from_organisation.slug, referral.to_organisation.slug) == ("next-steps-nl", "ijm-ro")
    assert sorted(s.code for s in referral.services.all()) == ["legal_support", "return_assistance"]
    assert referral.days_to_answer == 2 and referral.completed_on == dt.date(2022, 2, 28)
    ijm = user("caseworker.ijm")
    assert access.referrals(ijm).filter(pk=referral.pk).exists()
    assert access.scoped(ijm, "case").filter(pk=referral.case_id).exists()
    received = referral.receiving_case
    assert received is not None and received.organisation.slug == "ijm-ro"
    assert received.person == referral.case.person
    assert sorted(received.services.values_list("service_type__code", flat=True)) == [
        "legal_support",
        "return_assistance",
    ]


def test_ijms_services_on_the_referral_fall_after_the_period_so_she_counts_once_for_the_dutch_office(
    demo: Programme,
) -> None:
    referral = Referral.objects.get(state=Referral.State.COMPLETED)
    person = referral.case.person
    served = ServiceDelivery.objects.filter(
        case__person=person,
        date__range=(REPORT_START, REPORT_END),
        service_type__code__in=["legal_support", "return_assistance"],
    )
    assert set(served.values_list("case__organisation__slug", flat=True)) == {"next-steps-nl"}
    assert not ServiceDelivery.objects.filter(case=referral.receiving_case, date__lte=REPORT_END).exists()
