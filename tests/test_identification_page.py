"""The identification page of a case: read by those who read the case, written by those who change it, in
the case's own organisation only; every reading audited; bad input answered with a message, nothing stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nextsteps.audit.models import AuditEntry
from nextsteps.identification.actions import record_identification
from nextsteps.identification.models import CaseIdentification, ExploitationType, LabourSector
from nextsteps.privacy.actions import record_consent, share_case
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def survivor_case(org: str) -> m.Case:
    """A new survivor's case of a demo organisation, without an identification yet (the demo's have one)."""
    organisation = Organisation.objects.get(slug=org)
    return m.Case.objects.create(
        programme=organisation.programmes.get(slug="next-steps"),
        organisation=organisation,
        person=factories.person(organisation, survivor_status="identified"),
        opened=dt.date(2021, 7, 1),
    )


def page(case: m.Case, edit: bool = False) -> str:
    return reverse("identification:case-edit" if edit else "identification:case", args=[case.pk])


def filled(**extra: Any) -> dict[str, Any]:
    data = {
        "status": "identified",
        "decided_by": "police",
        "decided_on": "2021-06-01",
        "exploitation_types": [ExploitationType.objects.get(code="forced_labour").pk],
        "labour_sector": LabourSector.objects.get(code="agriculture").pk,
        "recruitment_countries": ["RO"],
        "recruitment_locality": "Vaslui",
        "exploitation_countries": ["NL"],
        "account": "Promised work picking fruit; papers taken on arrival.",
    }
    return {**data, **extra}


def views_of(case_or_identification: Any) -> int:
    return AuditEntry.objects.filter(
        action="view",
        model=case_or_identification._meta.label,
        object_pk=str(case_or_identification.pk),
    ).count()


def test_a_caseworker_records_the_identification_of_a_case_of_her_organisation(login: Login) -> None:
    case = survivor_case("ijm-ro")
    response = login("caseworker.ijm").post(page(case, edit=True), filled())
    assert response.status_code == 302 and response["Location"] == page(case)
    identification = CaseIdentification.objects.get(case=case)
    assert identification.status == "identified"
    assert [c.code for c in identification.exploitation_countries] == ["NL"]
    assert identification.account.startswith("Promised work")
    assert AuditEntry.objects.filter(
        action="create", model="identification.CaseIdentification", object_pk=str(identification.pk)
    ).exists()
    shown = login("caseworker.ijm").get(page(case)).content.decode()
    assert "Vaslui" in shown and "Promised work picking fruit" in shown


def test_reading_the_identification_is_audited(login: Login) -> None:
    case = survivor_case("next-steps-nl")
    identification = record_identification(case, acting_user=None, status="presumed")
    before = views_of(identification)
    assert login("dpo").get(page(case)).status_code == 200
    assert login("coordinator").get(page(case, edit=True)).status_code == 200
    assert views_of(identification) == before + 2


def test_the_data_protection_officer_reads_but_does_not_edit(login: Login) -> None:
    case = survivor_case("next-steps-nl")
    dpo = login("dpo")
    assert dpo.get(page(case)).status_code == 200
    assert dpo.get(page(case, edit=True)).status_code == 404
    assert dpo.post(page(case, edit=True), filled()).status_code == 404
    assert not CaseIdentification.objects.filter(case=case).exists()


@pytest.mark.parametrize("persona", ["caseworker.sa", "coordinator", "dpo", "viewer", "outreach.sa"])
def test_it_hides_identifications_of_other_organisations(persona: str, login: Login) -> None:
    case = survivor_case("ijm-ro")
    record_identification(case, acting_user=None, status="presumed", account="Secret account")
    client = login(persona)
    for url in (page(case), page(case, edit=True)):
        assert client.get(url).status_code == 404
    assert client.post(page(case, edit=True), filled()).status_code == 404
    assert CaseIdentification.objects.get(case=case).status == "presumed"


def test_a_shared_case_does_not_carry_its_identification(login: Login) -> None:
    case = survivor_case("ijm-ro")
    record_identification(case, acting_user=None, status="presumed")
    record_consent(
        acting_user=None,
        person=case.person,
        purpose="sharing",
        given_on=dt.date.today() - dt.timedelta(days=3),
        shared_with=Organisation.objects.get(slug="salvation-army-ro"),
    )
    share_case(acting_user=None, case=case, organisation=Organisation.objects.get(slug="salvation-army-ro"))
    client = login("caseworker.sa")
    assert client.get(reverse("records:case-detail", args=[case.pk])).status_code == 200
    assert client.get(page(case)).status_code == 404


def test_a_contradiction_is_refused_with_a_message_and_nothing_is_stored(login: Login) -> None:
    case = survivor_case("ijm-ro")
    response = login("caseworker.ijm").post(page(case, edit=True), filled(status="not_a_victim"))
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert not CaseIdentification.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("decided_on", "2999-01-01"),
        ("decided_on", "not a date"),
        ("recruitment_countries", ["XX"]),
        ("labour_sector", "999999"),
        ("status", "maybe"),
    ],
)
def test_bad_input_gets_a_message_never_an_error_page(field: str, value: Any, login: Login) -> None:
    case = survivor_case("ijm-ro")
    response = login("caseworker.ijm").post(page(case, edit=True), filled(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not CaseIdentification.objects.filter(case=case).exists()


def test_a_sector_without_forced_labour_is_refused_on_the_form(login: Login) -> None:
    case = survivor_case("ijm-ro")
    sexual = ExploitationType.objects.get(code="sexual_exploitation").pk
    response = login("caseworker.ijm").post(page(case, edit=True), filled(exploitation_types=[sexual]))
    assert response.status_code == 200
    assert "labour_sector" in response.context["form"].errors
    assert not CaseIdentification.objects.filter(case=case).exists()


def test_the_section_offers_editing_only_to_who_may_edit(login: Login) -> None:
    case = survivor_case("next-steps-nl")
    edit = page(case, edit=True)
    assert edit in login("coordinator").get(page(case)).content.decode()
    assert edit not in login("dpo").get(page(case)).content.decode()


def test_a_case_page_gets_the_section_only_for_its_own_organisation_and_audits_it(login: Login) -> None:
    from nextsteps.accounts.models import User
    from nextsteps.identification.views import for_case_page

    case = survivor_case("ijm-ro")
    identification = record_identification(case, acting_user=None, status="presumed")
    before = views_of(identification)
    assert for_case_page(User.objects.get(username="caseworker.ijm"), case) == identification
    assert views_of(identification) == before + 1
    # A shared case's reader elsewhere (or anyone else) gets no section content.
    assert for_case_page(User.objects.get(username="caseworker.sa"), case) is None
    assert views_of(identification) == before + 1


def test_the_second_of_two_edits_is_refused_naming_the_first_and_keeps_its_input(login: Login) -> None:
    import html
    import re

    from nextsteps.records import versions

    case = survivor_case("ijm-ro")
    url = page(case, edit=True)
    assert login("caseworker.ijm").post(url, filled()).status_code == 302
    found = re.search(r'name="version" value="(\d+)"', login("caseworker.ijm").get(url).content.decode())
    assert found and found.group(1) == "1"
    # Someone else saves first; the caseworker's form was opened at version 1.
    record_identification(case, acting_user=None, expected_version=1, recruitment_locality="Bacău")
    response = login("caseworker.ijm").post(url, {**filled(account="Her own words."), "version": "1"})
    shown = html.unescape(response.content.decode())
    assert response.status_code == 200 and "Her own words." in shown
    stored = CaseIdentification.objects.get(case=case)
    with translation.override("ro"):
        assert versions.stale_edit(stored, 1).page_message() in shown
    assert (stored.recruitment_locality, stored.account) == ("Bacău", filled()["account"])


def test_a_first_identification_recorded_meanwhile_is_not_overwritten(login: Login) -> None:
    import html
    import re

    case = survivor_case("ijm-ro")
    url = page(case, edit=True)
    opened = re.search(r'name="version" value="(\d+)"', login("caseworker.ijm").get(url).content.decode())
    assert opened and opened.group(1) == "0"
    # A coordinator of IJM records the identification first.
    from nextsteps.accounts.models import Membership, User

    coordinator = User.objects.create_user("mara.ijm", first_name="Mara", last_name="Ionescu")
    Membership.objects.create(
        user=coordinator, organisation=Organisation.objects.get(slug="ijm-ro"), role="coordinator"
    )
    record_identification(case, acting_user=coordinator, status="presumed", account="Her first account.")
    response = login("caseworker.ijm").post(url, {**filled(account="My account."), "version": "0"})
    shown = html.unescape(response.content.decode())
    assert response.status_code == 200 and "My account." in shown and "Mara Ionescu (mara.ijm)" in shown
    stored = CaseIdentification.objects.get(case=case)
    assert (stored.status, stored.account, stored.version) == ("presumed", "Her first account.", 1)
    again = re.search(r'name="version" value="(\d+)"', shown)
    assert again and again.group(1) == "1"


def test_a_stale_edit_after_a_change_of_countries_shows_them_by_name(login: Login) -> None:
    import html

    case = survivor_case("ijm-ro")
    url = page(case, edit=True)
    assert login("caseworker.ijm").post(url, filled()).status_code == 302
    record_identification(case, acting_user=None, expected_version=1, exploitation_countries=["DE", "NL"])
    response = login("caseworker.ijm").post(url, {**filled(account="Her own words."), "version": "1"})
    shown = html.unescape(response.content.decode())
    assert response.status_code == 200 and "Her own words." in shown
    assert 'class="stale-values"' in shown and "Germania, Olanda" in shown
    assert CaseIdentification.objects.get(case=case).account == filled()["account"]
