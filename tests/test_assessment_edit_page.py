"""Correcting an assessment: date, risk level, safety concerns, needs; in the case's own organisation only;
a date outside the case's period refused with a message; the second of two edits refused naming the first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.casework import actions
from nextsteps.casework.models import Assessment, NeedArea
from tests.case_file_edits import changes_of, refusal, second_caseworker, shown_version, text_of
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


def assessment() -> Assessment:
    case = ijm_case()
    return actions.add_assessment(
        case,
        acting_user=user("caseworker.ijm"),
        date=case.opened,
        risk_level="medium",
        safety_concerns="Recruiter knows the village.",
        needs=NeedArea.objects.all()[:1],
    )


def url(item: Assessment) -> str:
    return reverse("casework:assessment-edit", args=[item.pk])


def form(item: Assessment, version: str, **changes: object) -> dict[str, object]:
    return {
        "date": item.date.isoformat(),
        "risk_level": item.risk_level,
        "safety_concerns": item.safety_concerns,
        "needs": [str(n.pk) for n in item.needs.all()],
        "needs_note": item.needs_note,
        "version": version,
        **changes,
    }


def test_a_caseworker_corrects_the_risk_and_it_is_audited(login: Login) -> None:
    item = assessment()
    client = login("caseworker.ijm")
    version = shown_version(client.get(url(item)).content.decode())
    response = client.post(url(item), form(item, version, risk_level="high"))
    assert response.status_code == 302
    stored = Assessment.objects.get(pk=item.pk)
    assert (stored.risk_level, stored.safety_concerns, stored.version) == (
        "high",
        "Recruiter knows the village.",
        2,
    )
    # The needs were sent unchanged: only the risk level is recorded as changed.
    [entry] = changes_of(item)
    assert entry.fields == ["risk_level"]
    assert url(item) in client.get(reverse("casework:case", args=[item.case_id])).content.decode()


def test_saving_the_form_unchanged_keeps_the_version(login: Login) -> None:
    item = assessment()
    assert login("caseworker.ijm").post(url(item), form(item, "1")).status_code == 302
    assert Assessment.objects.get(pk=item.pk).version == 1 and changes_of(item) == []


@pytest.mark.parametrize("persona", ["caseworker.sa", "coordinator", "dpo"])
def test_it_hides_assessments_of_other_organisations(persona: str, login: Login) -> None:
    item = assessment()
    client = login(persona)
    assert client.get(url(item)).status_code == 404
    assert client.post(url(item), form(item, "1", risk_level="low")).status_code == 404
    assert Assessment.objects.get(pk=item.pk).risk_level == "medium"


def test_a_date_in_the_future_is_refused_with_a_message(login: Login) -> None:
    item = assessment()
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = login("caseworker.ijm").post(url(item), form(item, "1", date=tomorrow))
    assert response.status_code == 200
    with translation.override("ro"):
        assert _("This date is in the future.") in text_of(response)
    assert Assessment.objects.get(pk=item.pk).date == item.date


def test_the_second_of_two_edits_is_refused_naming_the_first_and_keeps_its_input(login: Login) -> None:
    item = assessment()
    second_caseworker()
    first, second = login("ana.ijm"), login("caseworker.ijm")
    first_version = shown_version(first.get(url(item)).content.decode())
    second_version = shown_version(second.get(url(item)).content.decode())
    assert first.post(url(item), form(item, first_version, risk_level="high")).status_code == 302
    refused = second.post(url(item), form(item, second_version, safety_concerns="He called her sister."))
    page = text_of(refused)
    assert (
        refused.status_code == 200
        and refusal(item, int(second_version)) in page
        and "He called her sister." in page
    )
    stored = Assessment.objects.get(pk=item.pk)
    assert (stored.risk_level, stored.safety_concerns) == ("high", "Recruiter knows the village.")
