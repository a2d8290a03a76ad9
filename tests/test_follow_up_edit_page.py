"""Editing a follow-up on the case file: what, who, due, done; in the case's own organisation only; a date
outside the case's period refused with a message; the second of two edits refused naming the first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.casework import actions
from nextsteps.casework.models import FollowUp
from nextsteps.records.models import day
from tests.case_file_edits import changes_of, refusal, second_caseworker, shown_version, text_of
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]
TODAY = dt.date.today()


def follow_up() -> FollowUp:
    return actions.add_follow_up(
        ijm_case(), acting_user=user("caseworker.ijm"), what="Call the lawyer", due=TODAY
    )


def url(item: FollowUp) -> str:
    return reverse("casework:follow-up-edit", args=[item.pk])


def form(item: FollowUp, version: str, **changes: str) -> dict[str, str]:
    return {
        "what": item.what,
        "due": item.due.isoformat(),
        "assigned_to": str(item.assigned_to_id or ""),
        "done": item.done.isoformat() if item.done else "",
        "version": version,
        **changes,
    }


def test_a_caseworker_corrects_the_due_date_and_who_does_it_and_it_is_audited(login: Login) -> None:
    item = follow_up()
    ana = second_caseworker()
    client = login("caseworker.ijm")
    version = shown_version(client.get(url(item)).content.decode())
    later = (TODAY + dt.timedelta(days=7)).isoformat()
    response = client.post(url(item), form(item, version, due=later, assigned_to=str(ana.pk)))
    assert response.status_code == 302
    stored = FollowUp.objects.get(pk=item.pk)
    assert (stored.due.isoformat(), stored.assigned_to, stored.version) == (later, ana, 2)
    [entry] = changes_of(item)
    assert entry.user == user("caseworker.ijm") and set(entry.fields) == {"due", "assigned_to"}


def test_the_case_page_links_to_the_edit_page(login: Login) -> None:
    item = follow_up()
    assert (
        url(item)
        in login("caseworker.ijm").get(reverse("casework:case", args=[item.case_id])).content.decode()
    )


@pytest.mark.parametrize("persona", ["caseworker.sa", "coordinator", "dpo"])
def test_it_hides_follow_ups_of_other_organisations(persona: str, login: Login) -> None:
    item = follow_up()
    client = login(persona)
    assert client.get(url(item)).status_code == 404
    assert client.post(url(item), form(item, "1", what="Changed")).status_code == 404
    assert FollowUp.objects.get(pk=item.pk).what == "Call the lawyer"


def test_a_done_date_before_the_case_opened_is_refused_with_a_message(login: Login) -> None:
    item = follow_up()
    before = item.case.opened - dt.timedelta(days=1)
    response = login("caseworker.ijm").post(url(item), form(item, "1", done=before.isoformat()))
    assert response.status_code == 200
    with translation.override("ro"):
        message = _("The case opened on %(opened)s: this date is before it.") % {
            "opened": day(item.case.opened)
        }
    assert message in text_of(response)
    assert FollowUp.objects.get(pk=item.pk).done is None


def test_the_second_of_two_edits_is_refused_naming_the_first_and_keeps_its_input(login: Login) -> None:
    item = follow_up()
    second_caseworker()
    first, second = login("ana.ijm"), login("caseworker.ijm")
    first_version = shown_version(first.get(url(item)).content.decode())
    second_version = shown_version(second.get(url(item)).content.decode())
    assert first.post(url(item), form(item, first_version, done=TODAY.isoformat())).status_code == 302

    refused = second.post(url(item), form(item, second_version, what="Call the lawyer and the shelter"))
    assert refused.status_code == 200
    page = text_of(refused)
    assert refusal(item, int(second_version)) in page
    assert "Call the lawyer and the shelter" in page
    assert shown_version(page) == "2"
    stored = FollowUp.objects.get(pk=item.pk)
    assert (stored.done, stored.what, stored.version) == (TODAY, "Call the lawyer", 2)


def test_marking_done_from_a_stale_page_is_refused_naming_who_changed_it(login: Login) -> None:
    item = follow_up()
    second_caseworker()
    done_url = reverse("casework:follow-up-done", args=[item.pk])
    stale = shown_version(login("caseworker.ijm").get(done_url).content.decode())
    later = (TODAY + dt.timedelta(days=3)).isoformat()
    assert login("ana.ijm").post(url(item), form(item, "1", due=later)).status_code == 302
    refused = login("caseworker.ijm").post(done_url, {"done": TODAY.isoformat(), "version": stale})
    assert refused.status_code == 200 and "Ana Pop (ana.ijm)" in text_of(refused)
    assert FollowUp.objects.get(pk=item.pk).done is None
