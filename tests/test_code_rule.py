"""Person, household and volunteer codes are unique in their organisation whatever their case and surrounding
spaces, on every path: the record form, the JSON API, the outreach round and an import (which names the row).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from tests.apiclient import ApiClient
from tests.importing import run, translated, write_csv

pytestmark = pytest.mark.django_db


def a_person(org: str) -> m.Person:
    person = m.Person.objects.filter(organisation__slug=org).first()
    assert person is not None
    return person


def test_the_database_refuses_a_code_that_differs_only_in_case() -> None:
    person = a_person("ijm-ro")
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Person.objects.create(organisation=person.organisation, code=person.code.lower())


def test_another_organisation_may_use_the_same_code_in_another_case() -> None:
    person = a_person("ijm-ro")
    other = Organisation.objects.get(slug="salvation-army-ro")
    m.Person.objects.create(organisation=other, code=person.code.lower())


def test_a_code_is_stored_without_surrounding_spaces() -> None:
    org = Organisation.objects.get(slug="ijm-ro")
    person = m.Person.objects.create(organisation=org, code="  IJM-SPACED  ")
    person.refresh_from_db()
    assert person.code == "IJM-SPACED"


def test_the_person_form_refuses_a_code_in_another_case_next_to_the_code(
    login: Callable[[str], Client],
) -> None:
    taken = a_person("salvation-army-ro")
    before = m.Person.objects.count()
    response = login("outreach.sa").post(
        reverse("records:person-create"), {"code": f"  {taken.code.lower()} ", "sex": "female"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        translated("ro", "Another person of this organisation already has this code.")
    ]
    assert m.Person.objects.count() == before


def test_the_api_refuses_a_household_code_in_another_case(api: Callable[[str], ApiClient]) -> None:
    taken = m.Household.objects.filter(organisation__slug="salvation-army-ro").first()
    assert taken is not None
    response = api("outreach.sa").post(
        "/api/v1/records/households", {"code": taken.code.lower(), "locality": "Bucharest"}
    )
    assert response.status_code == 422, response.json()
    assert response.json()["errors"]["code"] == [
        translated("ro", "Another household of this organisation already has this code.")
    ]


def test_the_api_refuses_a_volunteer_code_in_another_case(api: Callable[[str], ApiClient]) -> None:
    taken = m.Volunteer.objects.filter(organisation__slug="dorcas-ro").first()
    assert taken is not None
    response = api("volunteers.dorcas").post(
        "/api/v1/records/volunteers",
        {"code": f" {taken.code.lower()}", "signed_up": "2024-01-10", "stage": "applied"},
    )
    assert response.status_code == 422, response.json()
    assert response.json()["errors"]["code"] == [
        translated("ro", "Another volunteer of this organisation already has this code.")
    ]


def test_the_outreach_round_refuses_a_new_persons_code_in_another_case(
    login: Callable[[str], Client],
) -> None:
    taken = a_person("salvation-army-ro")
    site = m.SiteType.objects.filter(active=True).first()
    assert site is not None
    before = (m.Person.objects.count(), m.OutreachVisit.objects.count())
    response = login("outreach.sa").post(
        reverse("records:outreach-round"),
        {
            "date": "2024-03-05",
            "locality": "Bucharest",
            "site_type": site.pk,
            "new-TOTAL_FORMS": "1",
            "new-INITIAL_FORMS": "0",
            "new-0-code": taken.code.lower(),
            "new-0-sex": "female",
        },
    )
    assert response.status_code == 200
    assert response.context["newcomers"].forms[0].errors["code"] == [
        translated("ro", "This organisation already uses the code %(code)s.", code=taken.code.lower())
    ]
    assert (m.Person.objects.count(), m.OutreachVisit.objects.count()) == before


def programme_and(org: str) -> tuple[Programme, Organisation]:
    return Programme.objects.get(slug="next-steps"), Organisation.objects.get(slug=org)


def test_an_import_names_the_row_whose_code_another_person_has_in_another_case(tmp_path: Path) -> None:
    programme, ijm = programme_and("ijm-ro")
    taken = a_person("ijm-ro")
    path = write_csv(
        tmp_path / "persons.csv",
        ["external_id", "code", "sex"],
        [["P-NEW-1", "IJM-FREE-1", "female"], ["P-NEW-2", f" {taken.code.lower()} ", "female"]],
    )
    before = m.Person.objects.count()
    with pytest.raises(ImportFailed) as failed:
        run(programme, ijm, path)
    assert [(e.row, e.column, e.message()) for e in failed.value.result.errors] == [
        (3, "code", "another person of this organisation already has this code")
    ]
    assert m.Person.objects.count() == before


def test_an_import_names_the_second_row_with_the_same_code_in_another_case(tmp_path: Path) -> None:
    programme, ijm = programme_and("ijm-ro")
    path = write_csv(
        tmp_path / "households.csv",
        ["external_id", "code", "locality"],
        [["H-NEW-1", "HH-Twice", "Cluj"], ["H-NEW-2", "hh-twice", "Cluj"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(programme, ijm, path)
    assert [(e.row, e.column, e.message()) for e in failed.value.result.errors] == [
        (3, "code", "this code appears on an earlier row of the import; each record needs its own")
    ]


def test_an_import_checks_the_external_id_that_serves_as_the_code(tmp_path: Path) -> None:
    programme, dorcas = programme_and("dorcas-ro")
    taken = m.Volunteer.objects.filter(organisation=dorcas).first()
    assert taken is not None
    path = write_csv(
        tmp_path / "volunteers.csv",
        ["external_id", "signed_up"],
        [[taken.code.lower(), "2024-01-10"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(programme, dorcas, path)
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(2, "external_id")]


def test_an_import_that_updates_a_record_may_keep_or_recase_its_own_code(tmp_path: Path) -> None:
    programme, ijm = programme_and("ijm-ro")
    person = a_person("ijm-ro")
    person.external_id = "P-OWN"
    person.save(update_fields=["external_id"])
    path = write_csv(tmp_path / "persons.csv", ["external_id", "code"], [["P-OWN", person.code.lower()]])
    result = run(programme, ijm, path)
    assert result.counts["persons"].changed == 1
    person.refresh_from_db()
    assert person.code == person.code.lower()


def test_an_import_names_the_row_whose_code_another_person_has_rather_than_blaming_others(
    tmp_path: Path,
) -> None:
    # Before the check in the first pass, this failed when written, as "the records changed while the files
    # were being imported": the user was told to try again, which could never work.
    programme, ijm = programme_and("ijm-ro")
    taken = a_person("ijm-ro")
    path = write_csv(tmp_path / "persons.csv", ["external_id", "code"], [["P-OTHER", taken.code]])
    with pytest.raises(ImportFailed) as failed:
        run(programme, ijm, path)
    assert [(e.row, e.column, e.message()) for e in failed.value.result.errors] == [
        (2, "code", "another person of this organisation already has this code")
    ]


def test_the_migration_names_the_codes_that_clash_whatever_their_case() -> None:
    person = a_person("ijm-ro")
    # As the data was before the constraint (DDL is taken back with the test's transaction).
    with connection.cursor() as cursor:
        cursor.execute('DROP INDEX "unique_person_code_any_case"')
    m.Person.objects.create(organisation=person.organisation, code=f" {person.code.lower()}")
    migration = importlib.import_module("nextsteps.records.migrations.0011_codes_unique_whatever_their_case")
    with pytest.raises(RuntimeError) as refused:
        migration.trim_codes_and_refuse_clashes(apps, None)
    assert f"{person.organisation.name}: person codes {person.code}, {person.code.lower()}" in str(
        refused.value
    )
