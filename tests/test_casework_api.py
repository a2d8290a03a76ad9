"""A case's file through the JSON API: the web pages' rules (the case's own organisation only, 404 otherwise,
a read-only role does not write), the models' rules refused with 422 naming the field, and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.audit.models import AuditEntry
from nextsteps.casework.models import CaseNote, FollowUp, Goal, NeedArea, PlannedAction
from nextsteps.records import models as m
from tests.apiclient import ApiClient
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]
TODAY = dt.date.today()


def url(case: m.Case, rest: str) -> str:
    return f"/api/v1/records/cases/{case.pk}/{rest}"


def a_day_of(case: m.Case) -> str:
    return (case.opened + dt.timedelta(days=1)).isoformat()


def nl_case() -> m.Case:
    case = m.Case.objects.filter(organisation__slug="next-steps-nl").order_by("pk").first()
    assert case is not None
    return case


def follow_up(case: m.Case, due: dt.date | None = None) -> FollowUp:
    return FollowUp.objects.create(case=case, what="Call the lawyer", due=due or TODAY)


def goal(case: m.Case) -> Goal:
    return Goal.objects.create(case=case, text="Safe housing")


def planned_action(case: m.Case) -> PlannedAction:
    return PlannedAction.objects.create(
        goal=goal(case), service_type=m.ServiceType.objects.get(code="legal_support")
    )


def test_a_caseworker_writes_and_reads_notes_and_each_read_is_audited(api: Api) -> None:
    case = ijm_case()
    client = api("caseworker.ijm")
    response = client.post(url(case, "notes"), {"date": a_day_of(case), "text": "She wants to go home."})
    assert response.status_code == 201, response.json()
    note = CaseNote.objects.get(pk=response.json()["id"])
    assert (note.text, note.author) == ("She wants to go home.", user("caseworker.ijm"))
    before = AuditEntry.objects.filter(
        action="view", model="casework.CaseNote", object_pk=str(note.pk)
    ).count()
    listed = client.get(url(case, "notes"))
    assert listed.status_code == 200
    assert {"id": note.pk, "date": a_day_of(case), "author": note.author_id, "text": note.text} in [
        {k: n[k] for k in ("id", "date", "author", "text")} for n in listed.json()
    ]
    views = AuditEntry.objects.filter(action="view", model="casework.CaseNote", object_pk=str(note.pk))
    assert views.count() == before + 1
    assert views.latest("pk").user == user("caseworker.ijm")
    assert AuditEntry.objects.filter(
        action="create", model="casework.CaseNote", object_pk=str(note.pk)
    ).exists()
    # Reading the file is a read of the case.
    assert AuditEntry.objects.filter(action="view", model="records.Case", object_pk=str(case.pk)).exists()


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"date": (TODAY + dt.timedelta(days=1)).isoformat(), "text": "Later"}, "date"),
        ({"date": "2000-01-01", "text": "Before"}, "date"),
        ({"date": "01-06-2021", "text": "Not ISO"}, "date"),
        ({"text": "No date"}, "date"),
        ({"date": None, "text": 5}, "text"),
        ({"date": "2021-08-01", "text": "x", "author": 1}, "author"),
    ],
    ids=["future", "before-opened", "not-iso", "missing", "not-text", "unknown-field"],
)
def test_a_note_outside_the_rules_is_refused_naming_the_field(
    sent: dict[str, Any], field: str, api: Api
) -> None:
    case = ijm_case()
    count = CaseNote.objects.filter(case=case).count()
    response = api("caseworker.ijm").post(url(case, "notes"), sent)
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"]
    assert CaseNote.objects.filter(case=case).count() == count


def test_a_body_that_is_not_a_json_object_is_a_400(api: Api) -> None:
    case = ijm_case()
    client = api("caseworker.ijm")
    assert client.post(url(case, "notes"), ["a list"]).status_code == 400
    response = client.client.post(url(case, "notes"), "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["message"]


def test_follow_ups_show_overdue_and_are_marked_done(api: Api) -> None:
    case = ijm_case()
    late = follow_up(case, TODAY - dt.timedelta(days=3))
    client = api("caseworker.ijm")
    listed = {f["id"]: f for f in client.get(url(case, "follow-ups")).json()}
    assert listed[late.pk]["overdue"] is True and listed[late.pk]["done"] is None
    response = client.patch(url(case, f"follow-ups/{late.pk}"), {"done": TODAY.isoformat()})
    assert response.status_code == 200, response.json()
    assert (response.json()["done"], response.json()["overdue"]) == (TODAY.isoformat(), False)
    late.refresh_from_db()
    assert late.done == TODAY
    change = AuditEntry.objects.filter(action="change", model="casework.FollowUp", object_pk=str(late.pk))
    assert change.get().fields == ["done"]


def test_a_follow_up_is_added_with_who_does_it(api: Api) -> None:
    case = ijm_case()
    client = api("caseworker.ijm")
    sent = {"what": "Visit the shelter", "due": (TODAY + dt.timedelta(days=7)).isoformat()}
    # A client learns its own user id from /me.
    response = client.post(
        url(case, "follow-ups"), {**sent, "assigned_to": client.get("/api/v1/me").json()["id"]}
    )
    assert response.status_code == 201, response.json()
    created = FollowUp.objects.get(pk=response.json()["id"])
    assert (created.what, created.assigned_to, created.overdue) == (
        sent["what"],
        user("caseworker.ijm"),
        False,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"done": (TODAY + dt.timedelta(days=1)).isoformat()}, "done"),
        ({"done": "2000-01-01"}, "done"),
        ({"due": "2000-01-01"}, "due"),
        ({"assigned_to": "caseworker.sa"}, "assigned_to"),
    ],
    ids=["done-in-the-future", "done-before-opened", "due-before-opened", "assignee-of-another-organisation"],
)
def test_a_follow_up_change_outside_the_rules_is_refused(
    change: dict[str, Any], field: str, api: Api
) -> None:
    case = ijm_case()
    item = follow_up(case)
    if change.get("assigned_to"):
        change = {"assigned_to": user(change["assigned_to"]).pk}
    response = api("caseworker.ijm").patch(url(case, f"follow-ups/{item.pk}"), change)
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"]
    stored = FollowUp.objects.get(pk=item.pk)
    assert (stored.done, stored.due, stored.assigned_to_id) == (None, TODAY, None)


def test_no_follow_up_is_added_to_a_closed_case(api: Api) -> None:
    case = ijm_case()
    m.Case.objects.filter(pk=case.pk).update(status="closed", closed=case.opened + dt.timedelta(days=30))
    response = api("caseworker.ijm").post(url(case, "follow-ups"), {"what": "Call", "due": TODAY.isoformat()})
    assert response.status_code == 422, response.json()
    with translation.override(user("caseworker.ijm").language or "en"):
        assert response.json()["errors"]["__all__"] == [_("This case is closed: reopen it first.")]
    assert not FollowUp.objects.filter(case=case).exists()


def test_a_note_after_the_case_closed_is_refused(api: Api) -> None:
    case = ijm_case()
    closed = case.opened + dt.timedelta(days=30)
    m.Case.objects.filter(pk=case.pk).update(status="closed", closed=closed)
    sent = {"date": (closed + dt.timedelta(days=1)).isoformat(), "text": "Too late"}
    response = api("caseworker.ijm").post(url(case, "notes"), sent)
    assert response.status_code == 422 and "date" in response.json()["errors"]


def test_a_plan_is_built_and_its_statuses_changed(api: Api) -> None:
    case = ijm_case()
    client = api("caseworker.ijm")
    created = client.post(url(case, "goals"), {"text": "Return home safely"})
    assert created.status_code == 201, created.json()
    goal_id = created.json()["id"]
    legal = m.ServiceType.objects.get(code="legal_support")
    action = client.post(
        url(case, f"goals/{goal_id}/actions"),
        {"service_type": legal.pk, "responsible_user": user("caseworker.ijm").pk, "due": "2030-01-01"},
    )
    assert action.status_code == 201, action.json()
    action_id = action.json()["id"]
    changed = client.patch(url(case, f"planned-actions/{action_id}"), {"status": "in_progress"})
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["status"], changed.json()["due"]) == ("in_progress", "2030-01-01")
    reached = client.patch(url(case, f"goals/{goal_id}"), {"status": "reached"})
    assert reached.status_code == 200, reached.json()
    plan = {g["id"]: g for g in client.get(url(case, "goals")).json()}
    assert plan[goal_id]["status"] == "reached" and plan[goal_id]["text"] == "Return home safely"
    assert [(a["id"], a["status"], a["service_type"]) for a in plan[goal_id]["actions"]] == [
        (action_id, "in_progress", legal.pk)
    ]
    changes = AuditEntry.objects.filter(
        action="change", model="casework.PlannedAction", object_pk=str(action_id)
    )
    assert changes.get().fields == ["status"]
    assert AuditEntry.objects.filter(action="change", model="casework.Goal", object_pk=str(goal_id)).exists()


@pytest.mark.parametrize(
    "sent",
    [
        {"status": "finished"},
        {"responsible_user": "caseworker.sa"},
        {"partner": 1, "responsible_user": "self"},
    ],
    ids=["unknown-status", "of-another-organisation", "both-responsible"],
)
def test_a_planned_action_outside_the_rules_is_refused(sent: dict[str, Any], api: Api) -> None:
    case = ijm_case()
    planned = planned_action(case)
    names = {"caseworker.sa": user("caseworker.sa").pk, "self": user("caseworker.ijm").pk}
    body = {key: names.get(value, value) for key, value in sent.items()}
    if "partner" in body:
        partner = m.ExternalOrganisation.objects.first() or m.ExternalOrganisation.objects.create(
            name="Lawyers"
        )
        body["partner"] = partner.pk
    response = api("caseworker.ijm").patch(url(case, f"planned-actions/{planned.pk}"), body)
    assert response.status_code == 422, response.json()
    assert set(response.json()["errors"]) & {"status", "responsible_user", "partner", "__all__"}
    planned.refresh_from_db()
    assert (planned.status, planned.responsible_user_id, planned.partner_id) == ("planned", None, None)


def test_an_assessment_is_recorded_with_its_needs(api: Api) -> None:
    case = ijm_case()
    needs = sorted(NeedArea.objects.filter(code__in=["safety", "legal"]).values_list("pk", flat=True))
    client = api("caseworker.ijm")
    sent = {"date": a_day_of(case), "risk_level": "high", "needs": needs, "safety_concerns": "Threats"}
    response = client.post(url(case, "assessments"), sent)
    assert response.status_code == 201, response.json()
    assert response.json()["needs"] == needs and response.json()["author"] == user("caseworker.ijm").pk
    assert response.json()["id"] in [a["id"] for a in client.get(url(case, "assessments")).json()]
    refused = client.post(url(case, "assessments"), {**sent, "risk_level": "extreme"})
    assert refused.status_code == 422 and "risk_level" in refused.json()["errors"]


OPERATIONS = [
    ("get", "assessments"),
    ("post", "assessments"),
    ("get", "goals"),
    ("post", "goals"),
    ("patch", "goals/{goal}"),
    ("post", "goals/{goal}/actions"),
    ("patch", "planned-actions/{action}"),
    ("get", "follow-ups"),
    ("post", "follow-ups"),
    ("patch", "follow-ups/{follow_up}"),
    ("get", "notes"),
    ("post", "notes"),
]


def concrete(case: m.Case, path: str) -> str:
    planned = planned_action(case)
    ids = {"goal": planned.goal_id, "action": planned.pk, "follow_up": follow_up(case).pk}
    return url(case, path.format(**ids))


VALID = {
    "assessments": {"date": "2021-08-02", "risk_level": "low"},
    "goals": {"text": "A job"},
    "follow-ups": {"what": "Call", "due": "2031-01-01"},
    "notes": {"date": "2021-08-02", "text": "Seen"},
}


@pytest.mark.parametrize("persona", ["caseworker.sa", "coordinator", "dpo", "viewer", "outreach.sa"])
def test_another_organisations_case_file_does_not_exist(persona: str, api: Api) -> None:
    case = ijm_case()
    client = api(persona)
    writes = AuditEntry.objects.exclude(action="view").count()
    for method, path in OPERATIONS:
        body = VALID.get(path.split("/")[0], {})
        response = getattr(client, method)(concrete(case, path), *([] if method == "get" else [body]))
        assert response.status_code == 404, f"{persona} {method} {path}: {response.status_code}"
    assert AuditEntry.objects.exclude(action="view").count() == writes


def test_a_read_only_role_reads_the_file_but_writes_nothing(api: Api) -> None:
    case = nl_case()
    client = api("dpo")
    notes = CaseNote.objects.filter(case=case).count()
    for method, path in OPERATIONS:
        target = concrete(case, path)
        if method == "get":
            assert client.get(target).status_code == 200, path
        else:
            assert getattr(client, method)(target, VALID.get(path.split("/")[0], {})).status_code == 404, path
    assert CaseNote.objects.filter(case=case).count() == notes


def test_a_record_of_another_case_is_not_reached_through_this_one(api: Api) -> None:
    case = ijm_case()
    other = m.Case.objects.filter(organisation__slug="ijm-ro").exclude(pk=case.pk).first()
    assert other is not None
    item = follow_up(other)
    planned = planned_action(other)
    client = api("caseworker.ijm")
    assert client.patch(url(case, f"follow-ups/{item.pk}"), {"done": TODAY.isoformat()}).status_code == 404
    assert client.patch(url(case, f"goals/{planned.goal_id}"), {"status": "dropped"}).status_code == 404
    assert client.patch(url(case, f"planned-actions/{planned.pk}"), {"status": "done"}).status_code == 404
    assert client.post(url(case, f"goals/{planned.goal_id}/actions"), {}).status_code == 404
    item.refresh_from_db()
    assert item.done is None


def test_a_stale_follow_up_change_answers_409_and_saves_nothing(api: Api) -> None:
    case = ijm_case()
    item = follow_up(case)
    client = api("caseworker.ijm")
    read = client.get(url(case, "follow-ups")).json()
    version = next(f for f in read if f["id"] == item.pk)["version"]
    first = client.patch(url(case, f"follow-ups/{item.pk}"), {"version": version, "what": "Call twice"})
    assert first.status_code == 200, first.json()
    stale = client.patch(url(case, f"follow-ups/{item.pk}"), {"version": version, "what": "Call once"})
    assert stale.status_code == 409, stale.json()
    item.refresh_from_db()
    assert item.what == "Call twice"


def test_a_stale_planned_action_change_answers_409(api: Api) -> None:
    case = ijm_case()
    planned = planned_action(case)
    client = api("caseworker.ijm")
    version = planned.version
    assert (
        client.patch(
            url(case, f"planned-actions/{planned.pk}"), {"version": version, "status": "done"}
        ).status_code
        == 200
    )
    stale = client.patch(
        url(case, f"planned-actions/{planned.pk}"), {"version": version, "status": "cancelled"}
    )
    assert stale.status_code == 409
    planned.refresh_from_db()
    assert planned.status == "done"
