"""The coordinators' caseload: open cases and overdue follow-ups per caseworker, counts only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.casework import actions
from nextsteps.casework.models import FollowUp
from nextsteps.records import models as m
from nextsteps.referrals.models import Referral
from tests import referrals
from tests.casework_helpers import user

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


def test_the_coordinator_sees_counts_per_caseworker_of_their_organisation(login: Login) -> None:
    case = m.Case.objects.filter(organisation__slug="next-steps-nl", status="open").first()
    assert case is not None
    actions.assign_case(case, acting_user=None, caseworker=user("coordinator"))
    actions.add_follow_up(case, acting_user=None, what="Secret", due=dt.date.today() - dt.timedelta(days=1))
    response = login("coordinator").get(reverse("casework:caseload"))
    assert response.status_code == 200
    (mine,) = [r for r in response.context["rows"] if r["caseworker__username"] == "coordinator"]
    theirs = m.Case.objects.filter(caseworker=user("coordinator"), status="open")
    overdue = FollowUp.objects.filter(case__in=theirs).overdue()
    assert (mine["cases"], mine["overdue"]) == (theirs.count(), overdue.count())
    assert mine["overdue"] >= 1
    html = response.content.decode()
    assert "Secret" not in html and case.person.code not in html
    # Only the coordinator's own organisation.
    assert {r["organisation__name"] for r in response.context["rows"]} == {case.organisation.name}


def test_caseworkers_have_no_caseload_page(login: Login) -> None:
    assert login("caseworker.ijm").get(reverse("casework:caseload")).status_code == 404


def pending_row(response: Any, name: str) -> tuple[int, int]:
    (org,) = [o for o in response.context["pending"] if o.name == name]
    return org.received, org.sent


def test_the_caseload_counts_referrals_waiting_for_an_answer_received_sent_and_per_caseworker(
    login: Login, django_assert_max_num_queries: Any
) -> None:
    client = login("coordinator")
    client.get(reverse("casework:caseload"))  # warm the session
    with django_assert_max_num_queries(100) as captured:
        before = client.get(reverse("casework:caseload"))
    nl = m.Case.objects.filter(organisation__slug="next-steps-nl").first()
    assert nl is not None
    received_before, sent_before = pending_row(before, nl.organisation.name)
    case = referrals.nl_case()
    actions.assign_case(case, acting_user=None, caseworker=user("coordinator"))
    referrals.sent_referral(case)
    ijm_case = m.Case.objects.filter(organisation__slug="ijm-ro", status="open").order_by("pk").first()
    assert ijm_case is not None
    referrals.sent_referral(ijm_case, slug="next-steps-nl")
    # More referrals, the same number of queries: counted in the database, not row by row.
    with django_assert_max_num_queries(len(captured)):
        response = client.get(reverse("casework:caseload"))
    assert pending_row(response, nl.organisation.name) == (received_before + 1, sent_before + 1)
    (mine,) = [r for r in response.context["rows"] if r["caseworker__username"] == "coordinator"]
    assert (
        mine["pending_referrals"]
        == Referral.objects.filter(
            case__caseworker=user("coordinator"), case__status="open", state="sent"
        ).count()
    )
    assert mine["pending_referrals"] >= 1
    html = response.content.decode()
    assert case.person.code not in html and ijm_case.person.code not in html
    # Only the coordinator's own organisation: IJM's referrals are not listed as IJM's.
    assert [o.name for o in response.context["pending"]] == [nl.organisation.name]
