"""Importing the same file twice updates the records instead of adding them again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nextsteps.audit.models import AuditEntry
from nextsteps.records.models import Activity, Household, OutreachVisit, Person, VisitPerson
from tests import factories as f
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db

PERSON_HEADER = ["external_id", "code", "sex", "birth_date", "survivor_status", "given_name"]


def test_a_second_import_of_the_same_file_changes_nothing(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    persons = write_csv(
        tmp_path / "persons.csv", PERSON_HEADER, [["P-1", "", "female", "1990-05-05", "no", "Ana"]]
    )
    visits = write_csv(
        tmp_path / "outreach_visits.csv",
        ["external_id", "date", "locality", "site_type"],
        [["V-1", "2021-08-03", "Iași", "street"]],
    )
    reached = write_csv(tmp_path / "visit_persons.csv", ["visit", "person"], [["V-1", "P-1"]])
    first = run(prog, org, persons, visits, reached)
    assert {k: c.created for k, c in first.counts.items()} == {
        "persons": 1,
        "outreach_visits": 1,
        "visit_persons": 1,
    }
    entries = AuditEntry.objects.count()
    second = run(prog, org, persons, visits, reached)
    assert {k: (c.created, c.changed, c.unchanged) for k, c in second.counts.items()} == {
        "persons": (0, 0, 1),
        "outreach_visits": (0, 0, 1),
        "visit_persons": (0, 0, 1),
    }
    assert Person.objects.filter(organisation=org).count() == 1
    assert OutreachVisit.objects.filter(programme=prog).count() == 1
    assert VisitPerson.objects.filter(visit__programme=prog).count() == 1
    assert AuditEntry.objects.count() == entries


def test_changed_rows_update_their_records_and_the_audit_names_the_fields(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = tmp_path / "persons.csv"
    write_csv(path, PERSON_HEADER, [["P-1", "", "female", "1990-05-05", "no", "Ana"]])
    run(prog, org, path)
    person = Person.objects.get(organisation=org, external_id="P-1")
    assert (person.code, person.adult_on) == ("P-1", dt.date(2008, 5, 5))
    write_csv(path, PERSON_HEADER, [["P-1", "BUC-1", "female", "2000-01-10", "identified", "Ana"]])
    result = run(prog, org, path)
    assert (result.counts["persons"].created, result.counts["persons"].changed) == (0, 1)
    person.refresh_from_db()
    assert (person.code, person.birth_date, person.survivor_status) == (
        "BUC-1",
        dt.date(2000, 1, 10),
        "identified",
    )
    # Derived fields follow, as when saved one by one.
    assert (person.birth_year, person.adult_on) == (2000, dt.date(2018, 1, 10))
    entry = AuditEntry.objects.filter(model="records.Person", object_pk=str(person.pk), action="change").get()
    assert {"code", "birth_date", "survivor_status"} <= set(entry.fields)
    assert "Ana" not in str(entry.fields)


def test_columns_left_out_keep_what_the_records_hold(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = tmp_path / "persons.csv"
    write_csv(path, PERSON_HEADER, [["P-1", "", "female", "1990-05-05", "presumed", "Ana"]])
    run(prog, org, path)
    write_csv(path, ["external_id", "sex"], [["P-1", "female"]])
    run(prog, org, path)
    person = Person.objects.get(organisation=org, external_id="P-1")
    assert (person.given_name, person.survivor_status, person.birth_date) == (
        "Ana",
        "presumed",
        dt.date(1990, 5, 5),
    )


def test_an_empty_cell_clears_the_value(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = tmp_path / "persons.csv"
    write_csv(path, PERSON_HEADER, [["P-1", "", "female", "1990-05-05", "presumed", "Ana"]])
    run(prog, org, path)
    write_csv(path, PERSON_HEADER, [["P-1", "", "", "", "", ""]])
    run(prog, org, path)
    person = Person.objects.get(organisation=org, external_id="P-1")
    assert (person.sex, person.birth_date, person.survivor_status, person.given_name) == (
        "unknown",
        None,
        "no",
        "",
    )


def test_lists_are_replaced_and_links_only_added(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    header = [
        "external_id",
        "activity_type",
        "title",
        "date",
        "locality",
        "attendance_total",
        "participant_groups",
    ]
    path = tmp_path / "activities.csv"
    write_csv(
        path, header, [["A-1", "conference", "Conference", "2021-10-18", "Oradea", "80", "police; students"]]
    )
    run(prog, org, path)
    write_csv(
        path, header, [["A-1", "conference", "Conference", "2021-10-18", "Oradea", "80", "police; teachers"]]
    )
    result = run(prog, org, path)
    assert result.counts["activities"].changed == 1
    groups = Activity.objects.get(programme=prog).participant_groups.values_list("code", flat=True)
    assert sorted(groups) == ["police", "teachers"]

    members = tmp_path / "household_members.csv"
    f.person(org, external_id="P-1")
    f.person(org, external_id="P-2")
    households = write_csv(tmp_path / "households.csv", ["external_id", "locality"], [["H-1", "Iași"]])
    write_csv(members, ["household", "person"], [["H-1", "P-1"]])
    run(prog, org, households, members)
    write_csv(members, ["household", "person"], [["H-1", "P-2"]])
    run(prog, org, members)
    household = Household.objects.get(organisation=org, external_id="H-1")
    assert sorted(household.members.values_list("external_id", flat=True)) == ["P-1", "P-2"]
