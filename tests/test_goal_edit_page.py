"""Editing a goal of the case plan: its text and status; in the case's own organisation only; an empty goal
refused with a message; the second of two edits refused naming the first."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.casework import actions
from nextsteps.casework.models import Goal
from tests.case_file_edits import changes_of, refusal, second_caseworker, shown_version, text_of
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


def goal() -> Goal:
    return actions.add_goal(ijm_case(), acting_user=user("caseworker.ijm"), text="Safe housing")


def url(item: Goal) -> str:
    return reverse("casework:goal-edit", args=[item.pk])


def test_a_caseworker_marks_a_goal_reached_and_it_is_audited(login: Login) -> None:
    item = goal()
    client = login("caseworker.ijm")
    version = shown_version(client.get(url(item)).content.decode())
    response = client.post(url(item), {"text": "Safe housing", "status": "reached", "version": version})
    assert response.status_code == 302
    stored = Goal.objects.get(pk=item.pk)
    assert (stored.status, stored.version) == ("reached", 2)
    [entry] = changes_of(item)
    assert entry.fields == ["status"]
    assert url(item) in client.get(reverse("casework:case", args=[item.case_id])).content.decode()


@pytest.mark.parametrize("persona", ["caseworker.sa", "coordinator", "viewer"])
def test_it_hides_goals_of_other_organisations(persona: str, login: Login) -> None:
    item = goal()
    client = login(persona)
    assert client.get(url(item)).status_code == 404
    assert client.post(url(item), {"text": "x", "status": "dropped", "version": "1"}).status_code == 404
    assert Goal.objects.get(pk=item.pk).status == "open"


def test_an_empty_goal_or_an_unknown_status_is_refused_with_a_message(login: Login) -> None:
    item = goal()
    client = login("caseworker.ijm")
    for data in ({"text": "", "status": "open"}, {"text": "Safe housing", "status": "finished"}):
        response = client.post(url(item), {**data, "version": "1"})
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    stored = Goal.objects.get(pk=item.pk)
    assert (stored.text, stored.status, stored.version) == ("Safe housing", "open", 1)


def test_the_second_of_two_edits_is_refused_naming_the_first_and_keeps_its_input(login: Login) -> None:
    item = goal()
    second_caseworker()
    first, second = login("ana.ijm"), login("caseworker.ijm")
    first_version = shown_version(first.get(url(item)).content.decode())
    second_version = shown_version(second.get(url(item)).content.decode())
    assert (
        first.post(
            url(item), {"text": "Safe housing", "status": "dropped", "version": first_version}
        ).status_code
        == 302
    )
    refused = second.post(
        url(item), {"text": "Safe housing in Iași", "status": "open", "version": second_version}
    )
    page = text_of(refused)
    assert (
        refused.status_code == 200
        and refusal(item, int(second_version)) in page
        and "Safe housing in Iași" in page
    )
    stored = Goal.objects.get(pk=item.pk)
    assert (stored.text, stored.status) == ("Safe housing", "dropped")
