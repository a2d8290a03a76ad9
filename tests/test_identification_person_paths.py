"""Every path that changes a person (the form, the API, an import) obeys the survivor-status rule of her
cases' identifications, kept in Person.clean: the change is refused with a message and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.identification.actions import record_identification
from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from tests import factories as f
from tests.apiclient import ApiClient
from tests.factories import open_case
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db


def identified_person() -> tuple[m.Person, Programme, Organisation]:
    org = f.organisation()
    prog = f.programme(org)
    person = f.person(org, survivor_status="identified", external_id="ID-1")
    case = open_case(
        acting_user=None, programme=prog, organisation=org, person=person, opened=dt.date(2021, 7, 1)
    )
    record_identification(
        case, acting_user=None, status="identified", decided_by="police", decided_on=dt.date(2021, 6, 1)
    )
    return person, prog, org


def test_an_import_cannot_mark_an_identified_victim_as_not_a_survivor(tmp_path: Path) -> None:
    person, prog, org = identified_person()
    path = write_csv(
        tmp_path / "persons.csv",
        ["external_id", "code", "sex", "survivor_status"],
        [["ID-1", person.code, "female", "no"], ["ID-2", "NEW-2", "male", "no"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path)
    errors = failed.value.result.errors
    assert len(errors) == 1
    assert "ID-1" in errors[0].line() and "identified victim of trafficking" in errors[0].message()
    assert m.Person.objects.get(pk=person.pk).survivor_status == "identified"
    assert not m.Person.objects.filter(external_id="ID-2").exists()


def test_an_import_that_agrees_with_the_identification_is_written(tmp_path: Path) -> None:
    person, prog, org = identified_person()
    path = write_csv(
        tmp_path / "persons.csv",
        ["external_id", "code", "sex", "survivor_status"],
        [["ID-1", person.code, "female", "presumed"]],
    )
    run(prog, org, path)
    assert m.Person.objects.get(pk=person.pk).survivor_status == "presumed"


def identified_demo_person(org: str) -> m.Person:
    case = m.Case.objects.filter(organisation__slug=org, person__survivor_status="identified").first()
    assert case is not None
    record_identification(
        case, acting_user=None, status="identified", decided_by="ngo", decided_on=dt.date(2021, 6, 1)
    )
    return case.person


def test_the_person_form_refuses_marking_an_identified_victim_as_not_a_survivor(
    login: Callable[[str], Client],
) -> None:
    person = identified_demo_person("ijm-ro")
    client = login("caseworker.ijm")
    form = client.get(reverse("records:person-edit", args=[person.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = client.post(
        reverse("records:person-edit", args=[person.pk]), {**data, "survivor_status": "no"}
    )
    assert response.status_code == 200
    assert "survivor_status" in response.context["form"].errors
    assert m.Person.objects.get(pk=person.pk).survivor_status == "identified"


def test_the_api_refuses_marking_an_identified_victim_as_not_a_survivor(
    api: Callable[[str], ApiClient],
) -> None:
    person = identified_demo_person("ijm-ro")
    response = api("caseworker.ijm").patch(f"/api/v1/records/persons/{person.pk}", {"survivor_status": "no"})
    assert response.status_code == 422
    assert "survivor_status" in response.json()["errors"]
    assert m.Person.objects.get(pk=person.pk).survivor_status == "identified"
