"""A case's file as the person's data export shows it (nextsteps/privacy/export.py): every text in full,
since the export is the person's own copy."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from nextsteps.casework.models import Assessment, CaseNote, FollowUp, Goal, PlannedAction


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def case_files(cases: list[Any], language: str) -> dict[int, dict[str, Any]]:
    """Each case's file by the case's key, in a fixed number of queries whatever the number of cases."""
    ids = [c.pk for c in cases]
    by_case: dict[int, dict[str, list[Any]]] = {
        pk: {"assessments": [], "goals": [], "follow_ups": [], "notes": []} for pk in ids
    }
    for a in Assessment.objects.filter(case__in=ids).prefetch_related("needs").order_by("date", "pk"):
        by_case[a.case_id]["assessments"].append(
            {
                "date": _iso(a.date),
                "risk_level": a.get_risk_level_display(),
                "safety_concerns": a.safety_concerns,
                "needs": [n.label(language) for n in a.needs.all()],
                "needs_note": a.needs_note,
            }
        )
    actions = Prefetch("actions", PlannedAction.objects.select_related("service_type", "partner"))
    for g in Goal.objects.filter(case__in=ids).prefetch_related(actions).order_by("pk"):
        by_case[g.case_id]["goals"].append(
            {
                "goal": g.text,
                "status": g.get_status_display(),
                "actions": [
                    {
                        "service": a.service_type.label(language),
                        "status": a.get_status_display(),
                        "due": _iso(a.due),
                        "partner": str(a.partner) if a.partner_id else None,
                    }
                    for a in g.actions.all()
                ],
            }
        )
    for f in FollowUp.objects.filter(case__in=ids).order_by("due", "pk"):
        by_case[f.case_id]["follow_ups"].append({"what": f.what, "due": _iso(f.due), "done": _iso(f.done)})
    for n in CaseNote.objects.filter(case__in=ids).order_by("date", "pk"):
        by_case[n.case_id]["notes"].append({"date": _iso(n.date), "text": n.text})
    return {
        case.pk: {
            "caseworker": str(case.caseworker) if case.caseworker_id else None,
            "closure_reason": case.closure_reason.label(language) if case.closure_reason_id else None,
            **by_case[case.pk],
        }
        for case in cases
    }
