"""The case plan: goals with planned actions; a service recorded from an action is linked to it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from nextsteps.audit.models import AuditEntry
from nextsteps.casework import actions
from nextsteps.casework.models import Assessment, NeedArea, PlannedAction
from nextsteps.records import models as m
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def legal() -> m.ServiceType:
    return m.ServiceType.objects.get(code="legal_support")


def test_recording_a_service_from_a_planned_action_links_them_and_marks_it_done() -> None:
    case = ijm_case()
    goal = actions.add_goal(case, acting_user=user("caseworker.ijm"), text="Testify safely")
    action = actions.add_planned_action(
        goal, acting_user=None, service_type=legal(), responsible_user=user("caseworker.ijm"), due=TODAY
    )
    service = actions.record_service_from_plan(action, acting_user=user("caseworker.ijm"), date=TODAY)
    action.refresh_from_db()
    assert action.status == PlannedAction.Status.DONE
    assert list(action.services.all()) == [service]
    assert service.case == case and service.service_type == legal()
    entry = (
        AuditEntry.objects.filter(model="casework.PlannedAction", object_pk=str(action.pk), action="change")
        .order_by("pk")
        .last()
    )
    assert entry is not None and set(entry.fields) == {"services", "status"}


def test_a_planned_action_is_for_a_person_or_a_partner_not_both() -> None:
    goal = actions.add_goal(ijm_case(), acting_user=None, text="Go home")
    partner = m.ExternalOrganisation.objects.create(name="A shelter", kind="ngo")
    with pytest.raises(ValidationError) as refusal:
        actions.add_planned_action(
            goal,
            acting_user=None,
            service_type=legal(),
            responsible_user=user("caseworker.ijm"),
            partner=partner,
        )
    assert "partner" in refusal.value.message_dict
    assert not PlannedAction.objects.filter(goal=goal).exists()


def test_a_service_from_the_plan_outside_the_open_period_is_refused_and_nothing_is_linked() -> None:
    case = ijm_case()
    action = actions.add_planned_action(
        actions.add_goal(case, acting_user=None, text="x"), acting_user=None, service_type=legal()
    )
    with pytest.raises(ValidationError):
        actions.record_service_from_plan(action, acting_user=None, date=case.opened - dt.timedelta(days=1))
    assert not action.services.exists()


def test_the_latest_assessment_comes_first_and_its_concerns_are_encrypted() -> None:
    from django.db import connection

    case = ijm_case()
    actions.add_assessment(case, acting_user=None, date=case.opened, risk_level="high", safety_concerns="X")
    latest = actions.add_assessment(
        case,
        acting_user=None,
        date=TODAY,
        risk_level="low",
        safety_concerns="Recruiter lives nearby",
        needs=NeedArea.objects.filter(code__in=["safety", "legal"]),
    )
    assert Assessment.objects.filter(case=case).first() == latest
    assert set(latest.needs.values_list("code", flat=True)) == {"safety", "legal"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT safety_concerns FROM casework_assessment WHERE id = %s", [latest.pk])
        (stored,) = cursor.fetchone()
    assert "Recruiter" not in stored


def test_an_assessment_with_an_unknown_risk_level_is_refused() -> None:
    with pytest.raises(ValidationError) as refusal:
        actions.add_assessment(ijm_case(), acting_user=None, date=TODAY, risk_level="extreme")
    assert "risk_level" in refusal.value.message_dict


def test_a_planned_action_is_given_only_to_someone_working_on_the_organisations_cases() -> None:
    goal = actions.add_goal(ijm_case(), acting_user=None, text="x")
    with pytest.raises(ValidationError) as refusal:
        actions.add_planned_action(
            goal, acting_user=None, service_type=legal(), responsible_user=user("caseworker.sa")
        )
    assert list(refusal.value.message_dict) == ["responsible_user"]
