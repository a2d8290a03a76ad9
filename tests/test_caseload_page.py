"""The coordinators' caseload: open cases and overdue follow-ups per caseworker, counts only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.casework import actions
from nextsteps.casework.models import FollowUp
from nextsteps.records import models as m
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
