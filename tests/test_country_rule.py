"""A nationality or an external organisation's country is an ISO 3166-1 alpha-2 code, stored in capitals, on
every path: the person form, the JSON API and an import; codes stored before the rule are capitalised."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from tests.apiclient import ApiClient
from tests.importing import run, translated, write_csv

pytestmark = pytest.mark.django_db

NOT_A_COUNTRY = "“%(value)s” is not a country code of ISO 3166-1 (such as NL or RO)."


def test_the_person_form_refuses_a_country_that_does_not_exist(login: Callable[[str], Client]) -> None:
    before = m.Person.objects.count()
    response = login("outreach.sa").post(
        reverse("records:person-create"), {"code": "SA-XX", "sex": "female", "nationality": "xx"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["nationality"] == [translated("ro", NOT_A_COUNTRY, value="XX")]
    assert m.Person.objects.count() == before


def test_the_person_form_stores_a_lower_case_nationality_in_capitals(login: Callable[[str], Client]) -> None:
    response = login("outreach.sa").post(
        reverse("records:person-create"),
        {"code": "SA-RO", "sex": "female", "survivor_status": "no", "nationality": " ro"},
    )
    assert response.status_code == 302
    assert m.Person.objects.get(code="SA-RO").nationality == "RO"


def test_the_api_refuses_a_country_that_does_not_exist_and_capitalises_one_that_does(
    api: Callable[[str], ApiClient],
) -> None:
    person = m.Person.objects.filter(organisation__slug="salvation-army-ro").first()
    assert person is not None
    client = api("caseworker.sa")
    url = f"/api/v1/records/persons/{person.pk}"
    refused = client.patch(url, {"nationality": "XX"})
    assert refused.status_code == 422, refused.json()
    assert refused.json()["errors"]["nationality"] == [translated("ro", NOT_A_COUNTRY, value="XX")]
    accepted = client.patch(url, {"nationality": "md"})
    assert accepted.status_code == 200, accepted.json()
    person.refresh_from_db()
    assert person.nationality == "MD"


def test_an_import_names_the_row_whose_country_does_not_exist(tmp_path: Path) -> None:
    programme = Programme.objects.get(slug="next-steps")
    ijm = Organisation.objects.get(slug="ijm-ro")
    path = write_csv(
        tmp_path / "persons.csv",
        ["external_id", "nationality"],
        [["P-CTRY-1", "ro"], ["P-CTRY-2", "xx"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(programme, ijm, path)
    assert [(e.row, e.column, e.message()) for e in failed.value.result.errors] == [
        (3, "nationality", "not a country code of ISO 3166-1, such as RO or NL")
    ]


def test_an_import_stores_a_lower_case_country_in_capitals(tmp_path: Path) -> None:
    programme = Programme.objects.get(slug="next-steps")
    ijm = Organisation.objects.get(slug="ijm-ro")
    path = write_csv(tmp_path / "persons.csv", ["external_id", "nationality"], [["P-CTRY-3", "ro"]])
    run(programme, ijm, path)
    assert m.Person.objects.get(organisation=ijm, external_id="P-CTRY-3").nationality == "RO"


def test_the_migration_capitalises_the_codes_stored_before_the_rule() -> None:
    person = m.Person.objects.filter(organisation__slug="ijm-ro").first()
    assert person is not None
    # Written past the field, as the data was before the rule.
    m.Person.objects.filter(pk=person.pk).update(nationality=" ro")
    migration = importlib.import_module(
        "nextsteps.records.migrations.0012_countries_as_iso_codes_in_capitals"
    )
    migration.capitalise_country_codes(apps, None)
    person.refresh_from_db()
    assert person.nationality == "RO"


def test_an_organisations_country_is_a_country_in_capitals() -> None:
    organisation = Organisation.objects.get(slug="ijm-ro")
    organisation.country = "xx"
    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()
    assert refused.value.message_dict["country"] == [NOT_A_COUNTRY % {"value": "XX"}]
    organisation.country = " nl"
    organisation.full_clean()
    organisation.save()
    organisation.refresh_from_db()
    assert organisation.country == "NL"
