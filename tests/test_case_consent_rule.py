"""A case cannot be opened without a recorded consent for services or a recorded reason why it could not be
asked: on every path (the model, the case form, the import, the API), for new cases and cases moved to
another person or opening day, but not for every later edit of a case stored before the rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.imports.importer import ImportFailed
from nextsteps.privacy.actions import record_consent, withdraw_consent
from nextsteps.privacy.erasure import erase_person
from nextsteps.privacy.models import Consent
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from nextsteps.records.models import ClosureReason
from tests import factories as f
from tests.apiclient import ApiClient
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db

OPENED = dt.date(2021, 9, 1)
REASON = "She arrived in shock at night; consent is to be asked at the next meeting."


@pytest.fixture
def place() -> tuple[Programme, Organisation, m.Person]:
    org = f.organisation()
    return f.programme(org), org, f.person(org)


def open_case(place: tuple[Programme, Organisation, m.Person], **extra: Any) -> m.Case:
    prog, org, person = place
    return actions.create_record(
        m.Case, acting_user=None, programme=prog, organisation=org, person=person, opened=OPENED, **extra
    )


def consent(person: m.Person, given_on: dt.date, **extra: Any) -> Consent:
    return record_consent(
        acting_user=None, person=person, purpose=Consent.Purpose.SERVICES, given_on=given_on, **extra
    )


def test_a_case_does_not_open_without_consent_or_a_reason(
    place: tuple[Programme, Organisation, m.Person],
) -> None:
    with pytest.raises(ValidationError) as refused:
        open_case(place)
    assert "consent_not_asked_reason" in refused.value.message_dict
    assert not m.Case.objects.filter(person=place[2]).exists()


def test_a_case_opens_with_a_consent_given_on_or_before_the_opening_day(
    place: tuple[Programme, Organisation, m.Person],
) -> None:
    consent(place[2], OPENED)
    assert open_case(place).pk


def test_a_case_opens_with_a_reason_why_consent_could_not_be_asked(
    place: tuple[Programme, Organisation, m.Person],
) -> None:
    case = open_case(place, consent_not_asked_reason=REASON)
    assert m.Case.objects.get(pk=case.pk).consent_not_asked_reason == REASON


def test_a_blank_reason_is_no_reason(place: tuple[Programme, Organisation, m.Person]) -> None:
    with pytest.raises(ValidationError):
        open_case(place, consent_not_asked_reason="   ")


@pytest.mark.parametrize(
    "given",
    [
        {"given_on": OPENED + dt.timedelta(days=1)},
        {"given_on": dt.date(2021, 1, 1), "expires_on": OPENED - dt.timedelta(days=1)},
        {"given_on": dt.date(2021, 1, 1), "withdrawn_on": OPENED},
        {"given_on": dt.date(2021, 1, 1), "purpose": Consent.Purpose.PUBLICATION},
    ],
    ids=["given-after", "expired-before", "withdrawn-on-the-day", "other-purpose"],
)
def test_a_consent_that_did_not_hold_on_the_opening_day_does_not_count(
    place: tuple[Programme, Organisation, m.Person], given: dict[str, object]
) -> None:
    withdrawn = given.pop("withdrawn_on", None)
    recorded = record_consent(
        acting_user=None,
        person=place[2],
        **{"purpose": Consent.Purpose.SERVICES, **given},  # type: ignore[arg-type]
    )
    if withdrawn:
        withdraw_consent(acting_user=None, consent=recorded, on=withdrawn)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        open_case(place)


def test_a_case_stored_before_the_rule_stays_editable_until_its_opening_day_moves(
    place: tuple[Programme, Organisation, m.Person],
) -> None:
    prog, org, person = place
    # As a case from before the rule: written without it (a migration keeps such rows as they are).
    old = m.Case.objects.create(programme=prog, organisation=org, person=person, opened=OPENED)
    old = m.Case.objects.get(pk=old.pk)
    reason = ClosureReason.objects.first()
    actions.update_record(
        old, acting_user=None, status="closed", closed=OPENED + dt.timedelta(days=30), closure_reason=reason
    )
    assert m.Case.objects.get(pk=old.pk).status == "closed"
    with pytest.raises(ValidationError) as refused:
        actions.update_record(old, acting_user=None, opened=OPENED - dt.timedelta(days=1))
    assert "consent_not_asked_reason" in refused.value.message_dict


def test_erasure_empties_the_reason(place: tuple[Programme, Organisation, m.Person]) -> None:
    case = open_case(place, consent_not_asked_reason=REASON)
    erase_person(place[2], acting_user=None)
    assert m.Case.objects.get(pk=case.pk).consent_not_asked_reason == ""


# The person page's "open a case" form -------------------------------------------------------------------


def new_person(slug: str) -> m.Person:
    return f.person(Organisation.objects.get(slug=slug))


def test_the_form_refuses_a_case_without_consent_or_reason_and_stores_nothing(
    demo: Programme, login: Callable[[str], Client]
) -> None:
    person = new_person("salvation-army-ro")
    response = login("caseworker.sa").post(
        reverse("records:case-create"), {"person": person.pk, "opened": "2021-09-01", "status": "open"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["consent_not_asked_reason"]
    assert not m.Case.objects.filter(person=person).exists()
    assert not Consent.objects.filter(person=person).exists()


def test_the_form_records_the_consent_for_services_with_the_case(
    demo: Programme, login: Callable[[str], Client]
) -> None:
    person = new_person("salvation-army-ro")
    response = login("caseworker.sa").post(
        reverse("records:case-create"),
        {
            "person": person.pk,
            "opened": "2021-09-01",
            "status": "open",
            "services_consent": "on",
            "consent_given_by": "guardian",
        },
    )
    assert response.status_code == 302
    assert m.Case.objects.filter(person=person, opened=OPENED).exists()
    given = Consent.objects.get(person=person)
    assert (given.purpose, given.given_on, given.given_by) == ("services", OPENED, "guardian")


def test_the_form_offers_the_consent_when_opening_a_case_from_the_person_page(
    demo: Programme, login: Callable[[str], Client]
) -> None:
    person = new_person("salvation-army-ro")
    page = login("caseworker.sa").get(f"{reverse('records:case-create')}?person={person.pk}")
    assert 'name="services_consent"' in page.content.decode()
    assert 'name="consent_not_asked_reason"' in page.content.decode()


def test_the_form_opens_a_case_with_a_reason(demo: Programme, login: Callable[[str], Client]) -> None:
    person = new_person("salvation-army-ro")
    response = login("caseworker.sa").post(
        reverse("records:case-create"),
        {"person": person.pk, "opened": "2021-09-01", "status": "open", "consent_not_asked_reason": REASON},
    )
    assert response.status_code == 302
    assert m.Case.objects.get(person=person).consent_not_asked_reason == REASON
    assert not Consent.objects.filter(person=person).exists()


# The import ------------------------------------------------------------------------------------------------


def test_the_import_refuses_a_new_case_without_consent_or_reason(
    tmp_path: Path, place: tuple[Programme, Organisation, m.Person]
) -> None:
    prog, org, person = place
    actions.update_record(person, acting_user=None, external_id="P-1")
    cases = write_csv(
        tmp_path / "cases.csv", ["external_id", "person", "opened"], [["C-1", "P-1", "2021-09-01"]]
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, cases)
    assert "consent" in " ".join(e.line() for e in failed.value.result.errors)
    assert not m.Case.objects.filter(person=place[2]).exists()


def test_the_import_opens_cases_with_a_consent_or_a_reason(
    tmp_path: Path, place: tuple[Programme, Organisation, m.Person]
) -> None:
    prog, org, person = place
    actions.update_record(person, acting_user=None, external_id="P-1")
    other = f.person(org, external_id="P-2")
    consent(other, OPENED)
    cases = write_csv(
        tmp_path / "cases.csv",
        ["external_id", "person", "opened", "consent_not_asked_reason"],
        [["C-1", "P-1", "2021-09-01", REASON], ["C-2", "P-2", "2021-09-01", ""]],
    )
    run(prog, org, cases)
    assert m.Case.objects.get(external_id="C-1").consent_not_asked_reason == REASON
    assert m.Case.objects.get(external_id="C-2").person == other


# The API ---------------------------------------------------------------------------------------------------


def test_the_api_refuses_a_case_without_consent_naming_the_field(
    demo: Programme, api: Callable[[str], ApiClient]
) -> None:
    person = new_person("salvation-army-ro")
    response = api("caseworker.sa").post(
        "/api/v1/records/cases", {"person": person.pk, "opened": "2021-09-01", "status": "open"}
    )
    # The API's answer to values that are not valid (docs/api.md), like every other rule of a record.
    assert response.status_code == 422
    assert "consent_not_asked_reason" in response.json()["errors"]
    assert not m.Case.objects.filter(person=person).exists()


def test_the_api_opens_a_case_with_a_consent_recorded_in_the_same_call(
    demo: Programme, api: Callable[[str], ApiClient]
) -> None:
    person = new_person("salvation-army-ro")
    response = api("caseworker.sa").post(
        "/api/v1/records/cases",
        {"person": person.pk, "opened": "2021-09-01", "status": "open", "services_consent": True},
    )
    assert response.status_code == 201, response.json()
    assert Consent.objects.get(person=person).given_on == OPENED


def test_the_import_does_not_open_a_case_for_a_service_of_a_person_without_consent(
    tmp_path: Path, place: tuple[Programme, Organisation, m.Person]
) -> None:
    prog, org, person = place
    actions.update_record(person, acting_user=None, external_id="P-1")
    services = write_csv(
        tmp_path / "services.csv",
        ["external_id", "person", "service_type", "date"],
        [["S-1", "P-1", "legal_support", "2021-09-01"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, services)
    assert person.code in " ".join(e.line() for e in failed.value.result.errors)
    assert not m.Case.objects.filter(person=person).exists()


# A referral accepted -------------------------------------------------------------------------------------


def test_an_accepted_referral_opens_the_receivers_case_on_the_senders_reason(demo: Programme) -> None:
    from nextsteps.referrals.actions import accept_referral
    from tests import referrals

    person = new_person("next-steps-nl")
    case = actions.create_record(
        m.Case,
        acting_user=None,
        programme=demo,
        organisation=person.organisation,
        person=person,
        opened=dt.date.today() - dt.timedelta(days=20),
        consent_not_asked_reason=REASON,
    )
    referral = referrals.sent_referral(case)
    accepted = accept_referral(acting_user=referrals.user("caseworker.ijm"), referral=referral)
    assert accepted.receiving_case is not None
    assert accepted.receiving_case.consent_not_asked_reason == REASON


def test_the_case_page_shows_why_consent_was_not_asked(
    demo: Programme, login: Callable[[str], Client]
) -> None:
    person = new_person("ijm-ro")
    case = actions.create_record(
        m.Case,
        acting_user=None,
        programme=demo,
        organisation=person.organisation,
        person=person,
        opened=OPENED,
        consent_not_asked_reason=REASON,
    )
    page = login("caseworker.ijm").get(reverse("casework:case", args=[case.pk])).content.decode()
    with translation.override("ro"):  # the IJM caseworker reads Romanian
        expected = gettext("Consent for services was not asked: %(reason)s") % {"reason": REASON}
    assert expected.replace("'", "&#x27;") in page
