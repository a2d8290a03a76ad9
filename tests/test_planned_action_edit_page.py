"""Editing a planned action: service, responsible person or partner, due date, status (planned, in progress,
done, cancelled); in the case's own organisation only; bad input refused with a message; the second of two
edits refused naming the first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.casework import actions
from nextsteps.casework.models import PlannedAction
from nextsteps.records import models as m
from tests.case_file_edits import changes_of, refusal, second_caseworker, shown_version, text_of
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


def planned() -> PlannedAction:
    goal = actions.add_goal(ijm_case(), acting_user=None, text="Legal aid")
    return actions.add_planned_action(
        goal,
        acting_user=user("caseworker.ijm"),
        service_type=m.ServiceType.objects.get(code="legal_support"),
        responsible_user=user("caseworker.ijm"),
    )


def url(item: PlannedAction) -> str:
    return reverse("casework:planned-action-edit", args=[item.pk])


def form(item: PlannedAction, version: str, **changes: str) -> dict[str, str]:
    return {
        "service_type": str(item.service_type_id),
        "responsible_user": str(item.responsible_user_id or ""),
        "partner": str(item.partner_id or ""),
        "due": item.due.isoformat() if item.due else "",
        "status": item.status,
        "version": version,
        **changes,
    }


def test_a_caseworker_moves_an_action_on_and_it_is_audited(login: Login) -> None:
    item = planned()
    client = login("caseworker.ijm")
    version = shown_version(client.get(url(item)).content.decode())
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    response = client.post(url(item), form(item, version, status="in_progress", due=due))
    assert response.status_code == 302
    stored = PlannedAction.objects.get(pk=item.pk)
    assert (stored.status, stored.due, stored.version) == ("in_progress", dt.date.fromisoformat(due), 2)
    [entry] = changes_of(item)
    assert set(entry.fields) == {"status", "due"} and entry.user == user("caseworker.ijm")
    assert url(item) in client.get(reverse("casework:case", args=[item.goal.case_id])).content.decode()


@pytest.mark.parametrize("persona", ["caseworker.sa", "coordinator", "outreach.sa"])
def test_it_hides_planned_actions_of_other_organisations(persona: str, login: Login) -> None:
    item = planned()
    client = login(persona)
    assert client.get(url(item)).status_code == 404
    assert client.post(url(item), form(item, "1", status="cancelled")).status_code == 404
    assert PlannedAction.objects.get(pk=item.pk).status == "planned"


def test_a_bad_date_or_both_a_person_and_a_partner_is_refused_with_a_message(login: Login) -> None:
    item = planned()
    partner = m.ExternalOrganisation.objects.first()
    assert partner is not None
    client = login("caseworker.ijm")
    for changes in ({"due": "31-31-2022"}, {"partner": str(partner.pk)}):
        response = client.post(url(item), form(item, "1", status="done", **changes))
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    stored = PlannedAction.objects.get(pk=item.pk)
    assert (stored.status, stored.partner, stored.version) == ("planned", None, 1)


def test_the_second_of_two_edits_is_refused_naming_the_first_and_keeps_its_input(login: Login) -> None:
    item = planned()
    second_caseworker()
    first, second = login("ana.ijm"), login("caseworker.ijm")
    first_version = shown_version(first.get(url(item)).content.decode())
    second_version = shown_version(second.get(url(item)).content.decode())
    assert first.post(url(item), form(item, first_version, status="cancelled")).status_code == 302
    refused = second.post(url(item), form(item, second_version, status="done", due="2022-02-01"))
    page = text_of(refused)
    assert (
        refused.status_code == 200
        and refusal(item, int(second_version)) in page
        and 'value="2022-02-01"' in page
    )
    stored = PlannedAction.objects.get(pk=item.pk)
    assert (stored.status, stored.due, stored.version) == ("cancelled", None, 2)
