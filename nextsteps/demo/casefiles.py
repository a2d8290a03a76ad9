"""The demo survivors' case files: assessments, a plan linked to the services they received, follow-ups
(some overdue on the day the demo is loaded), and notes. Synthetic only.

Nothing here records a service or an outcome, so the report's figures are those of the seed whatever this
adds; plans link to the services already recorded. The choices follow the case's position in the list, not
the demo's random generator, so that the people and records drawn before stay the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nextsteps.casework import actions
from nextsteps.casework.models import NeedArea, PlannedAction
from nextsteps.records.models import Case, ServiceType

RISKS = ["high", "medium", "low"]
GOALS = {
    "return_assistance": "Return home safely and be received by family",
    "legal_support": "Give evidence against the recruiters with protection",
    "psychosocial": "Sleep through the night and feel safe in the shelter",
    "education": "Finish the school year",
    "vocational_training": "Learn a trade that pays",
}
CONCERNS = [
    "The recruiter knows where {given}'s mother lives and has called her twice.",
    "{given} still owes money to the people who brought her here; they have her phone number.",
    "No threats since the move to the shelter.",
]


def add_case_files(cases: list[Case], today: dt.date) -> None:
    needs = {n.code: n for n in NeedArea.objects.all()}
    for i, case in enumerate(cases):
        given = case.person.given_name or case.person.code
        first_risk = RISKS[i % 3]
        actions.add_assessment(
            case,
            acting_user=None,
            date=case.opened + dt.timedelta(days=2),
            risk_level=first_risk,
            safety_concerns=CONCERNS[i % 3].format(given=given),
            needs=[needs[code] for code in ("safety", "legal", "documents", "mental_health")[: 2 + i % 3]],
            needs_note=f"{given} has no identity card; the police kept it as evidence.",
        )
        if i % 2:
            # Reassessed after three months: calmer for most.
            actions.add_assessment(
                case,
                acting_user=None,
                date=case.opened + dt.timedelta(days=92),
                risk_level="low" if first_risk != "high" else "medium",
                needs=[needs["income"], needs["housing"]],
            )
        _plan(case)
        actions.add_note(
            case,
            acting_user=None,
            date=case.opened,
            text=f"Intake with {given}: referred by the labour inspectorate; wants to go home once the "
            "hearing is over.",
        )
        actions.add_note(
            case,
            acting_user=None,
            date=case.opened + dt.timedelta(days=35),
            text=f"{given} went to the prosecutor's office with us; she was nervous but answered everything.",
        )
        done = actions.add_follow_up(
            case, acting_user=None, what="Check the shelter place", due=case.opened + dt.timedelta(days=14)
        )
        actions.complete_follow_up(done, acting_user=None, done=case.opened + dt.timedelta(days=13))
        if i % 3 == 0:
            actions.add_follow_up(
                case,
                acting_user=None,
                what=f"Call {given} about the hearing date",
                due=today - dt.timedelta(days=1 + i % 5),
            )
        actions.add_follow_up(case, acting_user=None, what="Home visit", due=today + dt.timedelta(days=3 + i))


def _plan(case: Case) -> None:
    """One goal per kind of service the case received, each with a done action linked to its services."""
    services: dict[int, list[Any]] = {}
    for service in case.services.select_related("service_type").order_by("date", "pk"):
        services.setdefault(service.service_type_id, []).append(service)
    for delivered in services.values():
        service_type = delivered[0].service_type
        goal = actions.add_goal(
            case, acting_user=None, text=GOALS.get(service_type.code, service_type.label("en"))
        )
        action = actions.add_planned_action(
            goal,
            acting_user=None,
            service_type=service_type,
            due=delivered[0].date,
            status=PlannedAction.Status.DONE,
        )
        action.services.set(delivered)
    # What is still ahead: finding work.
    goal = actions.add_goal(case, acting_user=None, text="Find paid work close to home")
    actions.add_planned_action(
        goal, acting_user=None, service_type=ServiceType.objects.get(code="employment_support")
    )


def assign_demo_cases(programme_slug: str, caseworkers: dict[str, Any]) -> None:
    """Each open demo case without a caseworker gets its organisation's persona, where there is one."""
    cases = Case.objects.filter(
        programme__slug=programme_slug, caseworker__isnull=True, status=Case.Status.OPEN
    ).select_related("organisation")
    for case in cases:
        user = caseworkers.get(case.organisation.slug)
        if user is not None:
            actions.assign_case(case, acting_user=None, caseworker=user)
