"""The case page as a workspace: header, sections, timeline, a button per action; 404 outside."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.casework import actions
from nextsteps.casework.models import CaseNote, FollowUp
from nextsteps.casework.sections import CASE_SECTIONS
from nextsteps.records import models as m
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
Login = Callable[[str], Client]


def test_the_page_shows_the_case_file_with_links_and_actions(login: Login) -> None:
    case = ijm_case()
    actions.assign_case(case, acting_user=None, caseworker=user("caseworker.ijm"))
    actions.add_assessment(case, acting_user=None, date=TODAY, risk_level="high", safety_concerns="Threats")
    goal = actions.add_goal(case, acting_user=None, text="Testify safely")
    actions.add_planned_action(
        goal, acting_user=None, service_type=m.ServiceType.objects.get(code="legal_support")
    )
    late = actions.add_follow_up(
        case, acting_user=None, what="Ring the lawyer", due=TODAY - dt.timedelta(days=3)
    )
    note = actions.add_note(case, acting_user=user("caseworker.ijm"), date=TODAY, text="Feels safer.")
    page = login("caseworker.ijm").get(reverse("casework:case", args=[case.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("records:person-detail", args=[case.person_id]) in html
    for expected in (
        "Threats",
        "Testify safely",
        "Ring the lawyer",
        "Feels safer.",
        reverse("records:case-service", args=[case.pk]),
        reverse("casework:close", args=[case.pk]),
        reverse("casework:note-add", args=[case.pk]),
        reverse("casework:follow-up-done", args=[late.pk]),
        f"#note-{note.pk}",
    ):
        assert expected in html, expected
    for service in case.services.all():
        assert reverse("records:service-detail", args=[service.pk]) in html


def test_reading_the_notes_is_audited_like_reading_the_case(login: Login) -> None:
    case = ijm_case()
    note = actions.add_note(case, acting_user=None, date=TODAY, text="x")
    login("caseworker.ijm").get(reverse("casework:case", args=[case.pk]))
    reader = user("caseworker.ijm")
    assert AuditEntry.objects.filter(
        action="view", model="records.Case", object_pk=str(case.pk), user=reader
    ).exists()
    assert AuditEntry.objects.filter(
        action="view", model="casework.CaseNote", object_pk=str(note.pk), user=reader
    ).exists()


def test_another_organisations_case_file_answers_404(login: Login) -> None:
    case = ijm_case()
    for persona in ("caseworker.sa", "coordinator", "outreach.sa", "viewer"):
        assert login(persona).get(reverse("casework:case", args=[case.pk])).status_code == 404
        response = login(persona).post(
            reverse("casework:note-add", args=[case.pk]), {"date": TODAY, "text": "x"}
        )
        assert response.status_code == 404
    assert not CaseNote.objects.filter(case=case).exists()


def test_adding_a_note_and_a_follow_up_through_the_pages(login: Login) -> None:
    case = ijm_case()
    client = login("caseworker.ijm")
    response = client.post(
        reverse("casework:note-add", args=[case.pk]),
        {"date": TODAY.isoformat(), "text": "Met at the office."},
    )
    assert response.status_code == 302
    assert CaseNote.objects.get(case=case).author == user("caseworker.ijm")
    response = client.post(
        reverse("casework:follow-up-add", args=[case.pk]),
        {"what": "Check the housing", "due": (TODAY + dt.timedelta(days=7)).isoformat()},
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get(case=case)
    client.post(reverse("casework:follow-up-done", args=[follow_up.pk]), {"done": TODAY.isoformat()})
    follow_up.refresh_from_db()
    assert follow_up.done == TODAY


def test_a_note_dated_before_the_case_is_refused_with_a_message(login: Login) -> None:
    case = ijm_case()
    before = (case.opened - dt.timedelta(days=1)).isoformat()
    response = login("caseworker.ijm").post(
        reverse("casework:note-add", args=[case.pk]), {"date": before, "text": "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert not CaseNote.objects.filter(case=case).exists()


def test_closing_with_an_open_follow_up_asks_first_then_closes(login: Login) -> None:
    case = ijm_case()
    actions.add_follow_up(case, acting_user=None, what="Visit the family", due=TODAY)
    client = login("caseworker.ijm")
    reason = m.ClosureReason.objects.get(code="goals_reached")
    body = {"closure_reason": reason.pk, "closed": TODAY.isoformat()}
    asked = client.post(reverse("casework:close", args=[case.pk]), body)
    assert asked.status_code == 200 and "Visit the family" in asked.content.decode()
    html = asked.content.decode()
    # Named once, in a summary like the other forms' error summary (forms.js moves the focus there).
    summary = html[html.index("data-error-summary") : html.index("</div>", html.index("data-error-summary"))]
    assert "Visit the family" in summary and "<li>" in summary
    assert html.count("Visit the family") == 1
    case.refresh_from_db()
    assert case.status == "open"
    done = client.post(reverse("casework:close", args=[case.pk]), {**body, "confirmed": "on"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_reason) == ("closed", reason)
    client.post(reverse("casework:reopen", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == "open"


def test_recording_a_service_from_the_plan_through_the_page(login: Login) -> None:
    case = ijm_case()
    goal = actions.add_goal(case, acting_user=None, text="Go home")
    planned = actions.add_planned_action(
        goal, acting_user=None, service_type=m.ServiceType.objects.get(code="return_assistance")
    )
    response = login("caseworker.ijm").post(
        reverse("casework:service-from-plan", args=[planned.pk]), {"date": TODAY.isoformat(), "done": "on"}
    )
    assert response.status_code == 302
    assert planned.services.get().date == TODAY


def test_the_registry_names_the_three_sections_and_the_case_page_shows_the_installed_ones(
    login: Login,
) -> None:
    assert set(CASE_SECTIONS) == {"identification", "attachments", "referrals"}
    case = ijm_case()
    page = login("caseworker.ijm").get(reverse("casework:case", args=[case.pk])).content.decode()
    shown = {key for key, section in CASE_SECTIONS.items() if apps.is_installed(section.app)}
    assert shown == {"identification", "attachments", "referrals"}
    for key in shown:
        # Each app's own section, once, under its own heading.
        assert page.count(f'class="{key}"') == 1, key


def test_the_person_page_offers_to_open_a_case(login: Login) -> None:
    person = m.Person.objects.filter(organisation__slug="salvation-army-ro").first()
    assert person is not None
    html = login("caseworker.sa").get(reverse("records:person-detail", args=[person.pk])).content.decode()
    assert f"{reverse('records:case-create')}?person={person.pk}" in html


def test_the_data_protection_officer_reads_her_organisations_case_files_and_writes_nothing(
    login: Login,
) -> None:
    case = m.Case.objects.filter(organisation__slug="next-steps-nl", status="open").first()
    assert case is not None
    client = login("dpo")
    assert client.get(reverse("casework:case", args=[case.pk])).status_code == 200
    response = client.post(
        reverse("casework:note-add", args=[case.pk]), {"date": TODAY.isoformat(), "text": "x"}
    )
    assert response.status_code == 404
    assert not CaseNote.objects.filter(case=case, text__isnull=False, author__username="dpo").exists()


def test_the_generic_case_page_links_to_the_case_file(login: Login) -> None:
    case = ijm_case()
    html = login("caseworker.ijm").get(reverse("records:case-detail", args=[case.pk])).content.decode()
    assert reverse("casework:case", args=[case.pk]) in html


def test_the_timeline_holds_dated_records_and_audited_actions_each_with_a_link(login: Login) -> None:
    case = ijm_case()
    newcomer = user("caseworker.sa")
    case.organisation.memberships.create(user=newcomer, role="caseworker")
    actions.assign_case(case, acting_user=user("caseworker.ijm"), caseworker=newcomer)
    note = actions.add_note(case, acting_user=None, date=TODAY, text="x")
    timeline = login("caseworker.ijm").get(reverse("casework:case", args=[case.pk])).context["timeline"]
    assert all(item["url"] for item in timeline)
    assert any(item["url"].endswith(f"#note-{note.pk}") for item in timeline)
    assert any("caseworker.ijm" in item["text"] and "caseworker" in item["text"] for item in timeline)
    assert [item["date"] for item in timeline] == sorted((item["date"] for item in timeline), reverse=True)


def test_it_names_without_linking_the_services_a_reader_may_not_open(login: Login) -> None:
    # The data-protection officer reads the Dutch office's case files but not its service records: a link
    # would lead to a page that answers 404.
    case = (
        m.Case.objects.filter(organisation__slug="next-steps-nl", services__isnull=False).distinct().first()
    )
    assert case is not None and case.outcomes.exists()
    html = login("dpo").get(reverse("casework:case", args=[case.pk])).content.decode()
    for service in case.services.all():
        assert reverse("records:service-detail", args=[service.pk]) not in html
        assert str(service.service_type) in html
    for outcome in case.outcomes.all():
        assert reverse("records:outcome-detail", args=[outcome.pk]) not in html
    coordinator = login("coordinator").get(reverse("casework:case", args=[case.pk])).content.decode()
    first = case.services.first()
    assert first is not None
    assert reverse("records:service-detail", args=[first.pk]) in coordinator
