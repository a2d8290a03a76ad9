"""Correcting a case note: its text and date, by its author or a coordinator of the case's organisation
only (anyone else gets 404, like another organisation); a date outside the case's period refused with a
message; the second of two edits refused naming the first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.accounts.models import Membership, User
from nextsteps.casework import actions
from nextsteps.casework.models import CaseNote
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from nextsteps.records.models import day
from tests.case_file_edits import changes_of, refusal, second_caseworker, shown_version, text_of
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]
TODAY = dt.date.today()


def note(author: str = "caseworker.ijm", case: m.Case | None = None) -> CaseNote:
    case = case or ijm_case()
    return actions.add_note(case, acting_user=user(author), date=case.opened, text="Met at the shelter.")


def url(item: CaseNote) -> str:
    return reverse("casework:note-edit", args=[item.pk])


def test_its_author_corrects_a_note_and_it_is_audited(login: Login) -> None:
    item = note()
    client = login("caseworker.ijm")
    version = shown_version(client.get(url(item)).content.decode())
    response = client.post(
        url(item), {"date": TODAY.isoformat(), "text": "Met at the office.", "version": version}
    )
    assert response.status_code == 302
    stored = CaseNote.objects.get(pk=item.pk)
    assert (stored.text, stored.date, stored.author, stored.version) == (
        "Met at the office.",
        TODAY,
        user("caseworker.ijm"),
        2,
    )
    [entry] = changes_of(item)
    assert set(entry.fields) == {"text", "date"}
    assert url(item) in client.get(reverse("casework:case", args=[item.case_id])).content.decode()


def test_a_colleague_who_did_not_write_it_gets_404_and_no_link(login: Login) -> None:
    second_caseworker()
    item = note(author="ana.ijm")
    client = login("caseworker.ijm")
    assert client.get(url(item)).status_code == 404
    assert client.post(url(item), {"date": TODAY.isoformat(), "text": "x", "version": "1"}).status_code == 404
    assert url(item) not in client.get(reverse("casework:case", args=[item.case_id])).content.decode()
    with pytest.raises(ValidationError):
        actions.update_note(item, acting_user=user("caseworker.ijm"), text="x")
    assert CaseNote.objects.get(pk=item.pk).text == "Met at the shelter."


def test_a_coordinator_of_the_organisation_corrects_a_colleagues_note(login: Login) -> None:
    nl = Organisation.objects.get(slug="next-steps-nl")
    writer = User.objects.create_user("jan.nl", language="en")
    Membership.objects.create(user=writer, organisation=nl, role="caseworker")
    case = m.Case.objects.filter(organisation=nl, status="open").order_by("opened", "pk").first()
    assert case is not None
    item = note(author="jan.nl", case=case)
    response = login("coordinator").post(
        url(item), {"date": case.opened.isoformat(), "text": "Corrected.", "version": "1"}
    )
    assert response.status_code == 302
    assert CaseNote.objects.get(pk=item.pk).text == "Corrected."


@pytest.mark.parametrize("persona", ["caseworker.sa", "coordinator", "dpo"])
def test_it_hides_notes_of_other_organisations(persona: str, login: Login) -> None:
    item = note()
    client = login(persona)
    assert client.get(url(item)).status_code == 404
    assert client.post(url(item), {"date": TODAY.isoformat(), "text": "x", "version": "1"}).status_code == 404
    assert CaseNote.objects.get(pk=item.pk).text == "Met at the shelter."


def test_a_date_before_the_case_opened_is_refused_with_a_message(login: Login) -> None:
    item = note()
    before = (item.case.opened - dt.timedelta(days=1)).isoformat()
    response = login("caseworker.ijm").post(url(item), {"date": before, "text": "x", "version": "1"})
    assert response.status_code == 200
    with translation.override("ro"):
        message = _("The case opened on %(opened)s: this date is before it.") % {
            "opened": day(item.case.opened)
        }
    assert message in text_of(response)
    assert CaseNote.objects.get(pk=item.pk).text == "Met at the shelter."


def test_the_second_of_two_edits_is_refused_naming_the_first_and_keeps_its_input(login: Login) -> None:
    item = note()
    mine = login("caseworker.ijm")
    stale = shown_version(mine.get(url(item)).content.decode())
    # The same author in another tab (or a coordinator) saves first.
    actions.update_note(item, acting_user=user("caseworker.ijm"), expected_version=1, date=TODAY)
    refused = mine.post(
        url(item), {"date": item.case.opened.isoformat(), "text": "Met at home.", "version": stale}
    )
    page = text_of(refused)
    assert refused.status_code == 200 and "Met at home." in page
    assert refusal(item, 1) in page and "caseworker.ijm" in refusal(item, 1)
    stored = CaseNote.objects.get(pk=item.pk)
    assert (stored.text, stored.date) == ("Met at the shelter.", TODAY)
