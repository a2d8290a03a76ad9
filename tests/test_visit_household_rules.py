"""An outreach visit's household is in the visit's locality, and one organisation visits a household at most
once a day, on every path: the visit form, the JSON API, the outreach round (where a round submitted twice is
refused with a clear message and saves nothing) and an import (which names the row)."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from tests.apiclient import ApiClient
from tests.importing import run, translated, write_csv

pytestmark = pytest.mark.django_db

SA = "salvation-army-ro"


def a_household(org: str = SA) -> m.Household:
    household = m.Household.objects.filter(organisation__slug=org, locality="Bucharest").first()
    assert household is not None
    return household


def romanian_day(value: dt.date) -> str:
    with translation.override("ro"):
        return m.day(value)


def visits_of(household: m.Household) -> int:
    return m.OutreachVisit.objects.filter(household=household).count()


def round_post(household: m.Household, **changes: Any) -> dict[str, Any]:
    return {
        "date": "2024-02-14",
        "locality": "Bucharest",
        "site_type": m.SiteType.objects.get(code="household").pk,
        "households": [household.pk],
        "new-TOTAL_FORMS": "0",
        "new-INITIAL_FORMS": "0",
        **changes,
    }


def test_the_database_refuses_a_second_visit_of_a_household_on_one_day() -> None:
    visit = m.OutreachVisit.objects.filter(household__isnull=False).first()
    assert visit is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        m.OutreachVisit.objects.create(
            programme=visit.programme,
            organisation=visit.organisation,
            date=visit.date,
            locality=visit.locality,
            site_type=visit.site_type,
            household=visit.household,
        )


def test_the_round_submitted_twice_saves_the_visits_once_and_says_why(login: Callable[[str], Client]) -> None:
    household = a_household()
    client = login("outreach.sa")
    first = client.post(reverse("records:outreach-round"), round_post(household))
    assert first.status_code == 302
    visits, reached = visits_of(household), m.VisitPerson.objects.count()
    again = client.post(reverse("records:outreach-round"), round_post(household))
    assert again.status_code == 200
    expected = translated(
        "ro",
        "Already visited on %(date)s: %(households)s. Nothing of this round was saved.",
        date=romanian_day(dt.date(2024, 2, 14)),
        households=household.code,
    )
    assert again.context["form"].errors["households"] == [expected]
    assert expected in again.content.decode()
    assert (visits_of(household), m.VisitPerson.objects.count()) == (visits, reached)


def test_the_round_refuses_a_household_of_another_locality(login: Callable[[str], Client]) -> None:
    household = a_household()
    before = m.OutreachVisit.objects.count()
    response = login("outreach.sa").post(
        reverse("records:outreach-round"), round_post(household, locality="Oradea")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["households"] == [
        translated(
            "ro",
            "Not in %(locality)s: %(households)s. Tick only the households of the round's locality.",
            locality="Oradea",
            households=household.code,
        )
    ]
    assert m.OutreachVisit.objects.count() == before


def test_the_round_accepts_the_locality_in_another_case_and_spacing(login: Callable[[str], Client]) -> None:
    household = a_household()
    response = login("outreach.sa").post(
        reverse("records:outreach-round"), round_post(household, locality="  bucharest ")
    )
    assert response.status_code == 302


def test_the_api_refuses_a_household_of_another_locality(api: Callable[[str], ApiClient]) -> None:
    visit = m.OutreachVisit.objects.filter(organisation__slug=SA, household__isnull=False).first()
    assert visit is not None
    response = api("outreach.sa").patch(f"/api/v1/records/visits/{visit.pk}", {"locality": "Oradea"})
    assert response.status_code == 422, response.json()
    assert response.json()["errors"]["household"] == [
        translated(
            "ro",
            "This household is in %(household)s, not in %(locality)s.",
            household=visit.household.locality if visit.household else "",
            locality="Oradea",
        )
    ]
    visit.refresh_from_db()
    assert visit.locality != "Oradea"


def test_the_visit_form_refuses_a_second_visit_of_a_household_on_one_day(
    login: Callable[[str], Client],
) -> None:
    visit = m.OutreachVisit.objects.filter(organisation__slug=SA, household__isnull=False).first()
    assert visit is not None and visit.household is not None
    before = m.OutreachVisit.objects.count()
    response = login("outreach.sa").post(
        reverse("records:visit-create"),
        {
            "date": visit.date.isoformat(),
            "locality": visit.locality,
            "site_type": visit.site_type_id,
            "household": visit.household_id,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["household"] == [
        translated("ro", "This household already has a visit on this day.")
    ]
    assert m.OutreachVisit.objects.count() == before


def programme_and(org: str) -> tuple[Programme, Organisation]:
    return Programme.objects.get(slug="next-steps"), Organisation.objects.get(slug=org)


HEADER = ["external_id", "date", "locality", "site_type", "household"]


def test_an_import_names_the_rows_with_a_household_elsewhere_or_visited_twice_on_a_day(
    tmp_path: Path,
) -> None:
    programme, sa = programme_and(SA)
    household = a_household()
    household.external_id = "H-RULES"
    household.save(update_fields=["external_id"])
    visited = m.OutreachVisit.objects.filter(household=household).first()
    assert visited is not None
    day = dt.date(2024, 3, 1).isoformat()
    path = write_csv(
        tmp_path / "outreach_visits.csv",
        HEADER,
        [
            ["V-R-1", day, "Bucharest", "household", "H-RULES"],
            ["V-R-2", day, "bucharest", "household", "H-RULES"],
            ["V-R-3", "2024-03-02", "Oradea", "household", "H-RULES"],
            ["V-R-4", visited.date.isoformat(), "Bucharest", "household", "H-RULES"],
        ],
    )
    before = m.OutreachVisit.objects.count()
    with pytest.raises(ImportFailed) as failed:
        run(programme, sa, path)
    assert [(e.row, e.column, e.message()) for e in failed.value.result.errors] == [
        (3, "household", "this household has a visit on this day on an earlier row of the import"),
        (4, "household", "this household is in Bucharest, not in Oradea"),
        (5, "household", "this household already has a visit on this day"),
    ]
    assert m.OutreachVisit.objects.count() == before


def test_an_import_checks_the_locality_of_a_household_of_the_same_import(tmp_path: Path) -> None:
    programme, sa = programme_and(SA)
    households = write_csv(
        tmp_path / "households.csv", ["external_id", "locality"], [["H-NEW-CLUJ", "Cluj-Napoca"]]
    )
    visits = write_csv(
        tmp_path / "outreach_visits.csv",
        HEADER,
        [
            ["V-N-1", "2024-03-01", "cluj-napoca", "household", "H-NEW-CLUJ"],
            ["V-N-2", "2024-03-02", "Iași", "household", "H-NEW-CLUJ"],
        ],
    )
    with pytest.raises(ImportFailed) as failed:
        run(programme, sa, households, visits)
    assert [(e.row, e.column, e.message()) for e in failed.value.result.errors] == [
        (3, "household", "this household is in Cluj-Napoca, not in Iași"),
    ]


def test_an_import_may_update_a_visit_with_its_own_household_and_day(tmp_path: Path) -> None:
    programme, sa = programme_and(SA)
    visit = m.OutreachVisit.objects.filter(organisation=sa, household__isnull=False).first()
    assert visit is not None and visit.household is not None
    visit.external_id = "V-OWN"
    visit.save(update_fields=["external_id"])
    visit.household.external_id = "H-OWN"
    visit.household.save(update_fields=["external_id"])
    path = write_csv(
        tmp_path / "outreach_visits.csv",
        HEADER,
        [["V-OWN", visit.date.isoformat(), visit.locality, visit.site_type.code, "H-OWN"]],
    )
    result = run(programme, sa, path)
    assert result.counts["outreach_visits"].unchanged == 1


def test_the_migration_names_the_households_visited_twice_on_a_day() -> None:
    visit = m.OutreachVisit.objects.filter(household__isnull=False).select_related("household").first()
    assert visit is not None and visit.household is not None
    # As the data was before the constraint (DDL is taken back with the test's transaction).
    with connection.cursor() as cursor:
        cursor.execute('DROP INDEX "unique_household_visit_per_day"')
    m.OutreachVisit.objects.create(
        programme=visit.programme,
        organisation=visit.organisation,
        date=visit.date,
        locality=visit.locality,
        site_type=visit.site_type,
        household=visit.household,
    )
    migration = importlib.import_module("nextsteps.records.migrations.0013_one_visit_per_household_and_day")
    with pytest.raises(RuntimeError) as refused:
        migration.refuse_second_visits(apps, None)
    expected = f"{visit.organisation.name}: household {visit.household.code} on {visit.date} (2 visits)"
    assert expected in str(refused.value)
