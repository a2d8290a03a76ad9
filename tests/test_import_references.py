"""Rows refer to each other by external id, within the import or to records already stored, and never across
organisations or programmes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nextsteps.imports.importer import ImportFailed
from nextsteps.privacy.actions import record_consent
from nextsteps.records.models import (
    Activity,
    Case,
    ExternalOrganisation,
    Household,
    OutreachVisit,
    ServiceDelivery,
    VisitPerson,
)
from tests import factories as f
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db


def test_rows_refer_to_rows_of_the_same_import_whatever_the_order_of_the_files(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    reached = write_csv(tmp_path / "visit_persons.csv", ["visit", "person"], [["V-1", "P-1"], ["V-1", "P-2"]])
    visits = write_csv(
        tmp_path / "outreach_visits.csv",
        ["external_id", "date", "locality", "site_type", "household"],
        [["V-1", "2021-08-03", "Bucharest", "household", "H-1"]],
    )
    members = write_csv(
        tmp_path / "household_members.csv", ["household", "person"], [["H-1", "P-1"], ["H-1", "P-2"]]
    )
    households = write_csv(tmp_path / "households.csv", ["external_id", "locality"], [["H-1", "Bucharest"]])
    persons = write_csv(
        tmp_path / "persons.csv", ["external_id", "sex"], [["P-1", "female"], ["P-2", "male"]]
    )
    run(prog, org, reached, visits, members, households, persons)
    visit = OutreachVisit.objects.get(programme=prog)
    assert visit.household == Household.objects.get(organisation=org, external_id="H-1")
    assert sorted(p.external_id for p in visit.persons.all()) == ["P-1", "P-2"]
    assert sorted(p.external_id for p in visit.household.members.all()) == ["P-1", "P-2"]


def test_rows_refer_to_records_already_in_the_database(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    person = f.person(org, external_id="P-9")
    visit = f.visit(prog, org, dt.date(2021, 8, 3))
    visit.external_id = "V-9"
    visit.save()
    path = write_csv(tmp_path / "visit_persons.csv", ["visit", "person"], [["V-9", "P-9"]])
    run(prog, org, path)
    assert list(VisitPerson.objects.filter(visit=visit).values_list("person", flat=True)) == [person.pk]


def test_a_person_of_another_organisation_is_refused_not_linked(tmp_path: Path) -> None:
    ours, theirs = f.organisation(), f.organisation()
    prog = f.programme(ours, theirs)
    f.person(theirs, external_id="P-1")
    cases = write_csv(
        tmp_path / "cases.csv", ["external_id", "person", "opened"], [["C-1", "P-1", "2021-08-03"]]
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, ours, cases)
    [error] = failed.value.result.errors
    assert (error.row, error.column, error.value) == (2, "person", "P-1")
    assert str(ours) in error.message()
    assert not Case.objects.filter(programme=prog).exists()


def test_a_record_of_another_programme_cannot_be_taken_over(tmp_path: Path) -> None:
    org = f.organisation()
    first, second = f.programme(org), f.programme(org)
    path = write_csv(
        tmp_path / "outreach_visits.csv",
        ["external_id", "date", "locality", "site_type"],
        [["V-1", "2021-08-03", "Iași", "street"]],
    )
    run(first, org, path)
    with pytest.raises(ImportFailed) as failed:
        run(second, org, path)
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(2, "external_id")]
    assert OutreachVisit.objects.get(organisation=org, external_id="V-1").programme == first


def test_a_service_names_its_case_or_its_person_and_a_case_is_opened_when_there_is_none(
    tmp_path: Path,
) -> None:
    org = f.organisation()
    prog = f.programme(org)
    f.person(org, external_id="P-1", survivor_status="identified")
    p2 = f.person(org, external_id="P-2")
    cases = write_csv(
        tmp_path / "cases.csv",
        ["external_id", "person", "opened", "consent_not_asked_reason"],
        [["C-1", "P-1", "2021-07-01", "Asked at the next meeting."]],
    )
    # A case opened for a person named without one needs her consent for services, as every new case.
    record_consent(acting_user=None, person=p2, purpose="services", given_on=dt.date(2021, 8, 1))
    services = write_csv(
        tmp_path / "services.csv",
        ["external_id", "case", "person", "service_type", "date"],
        [
            ["S-1", "C-1", "", "legal_support", "2021-08-03"],
            ["S-2", "", "P-1", "Terugkeerhulp", "2021-08-04"],  # P-1's one case: C-1
            ["S-3", "", "P-2", "medical", "2021-09-10"],  # P-2 has no case: one is opened on 2021-08-20
            ["S-4", "", "P-2", "medical", "2021-08-20"],
        ],
    )
    result = run(prog, org, cases, services)
    assert result.new_cases == 1
    by_service = dict(
        ServiceDelivery.objects.filter(case__programme=prog).values_list("external_id", "case__external_id")
    )
    assert by_service["S-1"] == by_service["S-2"] == "C-1"
    opened = Case.objects.get(programme=prog, person__external_id="P-2")
    assert opened.opened == dt.date(2021, 8, 20)
    assert {s.case_id for s in ServiceDelivery.objects.filter(external_id__in=["S-3", "S-4"])} == {opened.pk}


def test_a_person_with_two_cases_must_be_named_by_case(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    cases = write_csv(
        tmp_path / "cases.csv",
        ["external_id", "person", "opened"],
        [["C-1", "P-1", "2021-01-01"], ["C-2", "P-1", "2021-06-01"]],
    )
    persons = write_csv(tmp_path / "persons.csv", ["external_id"], [["P-1"]])
    services = write_csv(
        tmp_path / "services.csv",
        ["external_id", "person", "service_type", "date"],
        [["S-1", "P-1", "medical", "2021-08-03"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, persons, cases, services)
    assert [(e.file, e.row, e.column) for e in failed.value.result.errors] == [("services.csv", 2, "person")]


def test_a_service_needs_exactly_one_of_case_and_person(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    f.person(org, external_id="P-1")
    services = write_csv(
        tmp_path / "services.csv",
        ["external_id", "case", "person", "service_type", "date"],
        [["S-1", "", "", "medical", "2021-08-03"], ["S-2", "C-1", "P-1", "medical", "2021-08-03"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, services)
    assert {(e.row, e.column) for e in failed.value.result.errors} == {
        (2, "case"),
        (3, "person"),
        (3, "case"),
    }


def test_an_unknown_campaign_or_external_organisation_is_an_error(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    volunteers = write_csv(
        tmp_path / "volunteers.csv",
        ["external_id", "signed_up", "campaign"],
        [["VOL-1", "2021-08-03", "no-such-campaign"]],
    )
    activities = write_csv(
        tmp_path / "activities.csv",
        [
            "external_id",
            "activity_type",
            "title",
            "date",
            "locality",
            "attendance_total",
            "participating_organisations",
        ],
        [["A-1", "conference", "Conference", "2021-10-18", "Oradea", "80", "Nobody's Police"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, volunteers, activities)
    assert {(e.file, e.column) for e in failed.value.result.errors} == {
        ("volunteers.csv", "campaign"),
        ("activities.csv", "participating_organisations"),
    }


def test_partner_contacts_add_external_organisations_that_activities_can_name(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    contacts = write_csv(
        tmp_path / "partner_contacts.csv",
        ["external_id", "external_organisation", "kind", "established", "country"],
        [["PC-1", "Vaslui County Police", "rechtshandhaving", "2021-09-01", "ro"]],
    )
    activities = write_csv(
        tmp_path / "activities.csv",
        [
            "external_id",
            "activity_type",
            "title",
            "date",
            "locality",
            "attendance_total",
            "participating_organisations",
        ],
        [["A-1", "training", "Training", "2021-10-18", "Vaslui", "20", "Vaslui County Police"]],
    )
    run(prog, org, activities, contacts)
    police = ExternalOrganisation.objects.get(name="Vaslui County Police")
    assert (police.kind, police.country) == ("law_enforcement", "RO")
    assert list(Activity.objects.get(programme=prog).participating_organisations.all()) == [police]
