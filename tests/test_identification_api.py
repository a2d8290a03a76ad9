"""A case's identification through the JSON API: the web page's rules (own organisation only, 404 otherwise,
validated like the form, audited), ids for managed-list values and ISO codes for countries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from nextsteps.audit.models import AuditEntry
from nextsteps.identification.models import CaseIdentification, ExploitationType, LabourSector
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests import factories
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]


def new_case(org: str = "ijm-ro") -> m.Case:
    organisation = Organisation.objects.get(slug=org)
    return m.Case.objects.create(
        programme=organisation.programmes.get(slug="next-steps"),
        organisation=organisation,
        person=factories.person(organisation, survivor_status="identified"),
        opened=dt.date(2021, 7, 1),
    )


def url(case: m.Case) -> str:
    return f"/api/v1/records/cases/{case.pk}/identification"


def body(**extra: Any) -> dict[str, Any]:
    return {
        "status": "identified",
        "decided_by": "police",
        "decided_on": "2021-06-01",
        "exploitation_types": [ExploitationType.objects.get(code="forced_labour").pk],
        "labour_sector": LabourSector.objects.get(code="fishing").pk,
        "recruitment_countries": ["ro"],
        "account": "Worked on a trawler without pay.",
        **extra,
    }


def test_a_caseworker_records_and_reads_an_identification(api: Api) -> None:
    case = new_case()
    client = api("caseworker.ijm")
    assert client.get(url(case)).json() == {"case": case.pk, "recorded": False}
    response = client.patch(url(case), body())
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["recorded"] and answer["recruitment_countries"] == ["RO"]
    assert answer["account"] == "Worked on a trawler without pay."
    # Only what is sent changes.
    changed = client.patch(url(case), {"decided_by": "court"}).json()
    assert (changed["decided_by"], changed["labour_sector"]) == ("court", body()["labour_sector"])
    identification = CaseIdentification.objects.get(case=case)
    entries = AuditEntry.objects.filter(
        model="identification.CaseIdentification", object_pk=str(identification.pk)
    )
    assert {"create", "change", "view"} <= set(entries.values_list("action", flat=True))


@pytest.mark.parametrize(
    "sent",
    [
        {"status": "not_a_victim", "decided_by": "police", "decided_on": "2021-06-01"},
        {"decided_on": "01-06-2021"},
        {"recruitment_countries": ["XX"]},
        {"recruitment_countries": "RO"},
        {"exploitation_types": ["forced_labour"]},
        {"nonsense": 1},
        {"exploitation_types": "sexual_exploitation"},
    ],
    ids=["contradiction", "date", "country", "country-type", "ids", "unknown", "sector-without-labour"],
)
def test_bad_values_are_refused_with_422_and_nothing_is_stored(sent: dict[str, Any], api: Api) -> None:
    case = new_case()
    if sent.get("exploitation_types") == "sexual_exploitation":
        sent = {"exploitation_types": [ExploitationType.objects.get(code="sexual_exploitation").pk]}
    response = api("caseworker.ijm").patch(url(case), body(**sent))
    assert response.status_code == 422, response.json()
    assert response.json()["errors"]
    assert not CaseIdentification.objects.filter(case=case).exists()


@pytest.mark.parametrize("persona", ["caseworker.sa", "coordinator", "dpo", "viewer"])
def test_another_organisations_identification_does_not_exist(persona: str, api: Api) -> None:
    case = new_case()
    client = api(persona)
    assert client.get(url(case)).status_code == 404
    assert client.patch(url(case), body()).status_code == 404
    assert not CaseIdentification.objects.filter(case=case).exists()


def test_the_data_protection_officer_reads_but_does_not_change(api: Api) -> None:
    case = new_case("next-steps-nl")
    assert api("dpo").get(url(case)).status_code == 200
    assert api("dpo").patch(url(case), body()).status_code == 404


def test_the_identification_lists_give_ids_with_labels_in_the_users_language(api: Api) -> None:
    items = api("caseworker.ijm").get("/api/v1/lists/exploitation-types").json()
    forced = next(item for item in items if item["code"] == "forced_labour")
    assert forced == {
        "id": ExploitationType.objects.get(code="forced_labour").pk,
        "code": "forced_labour",
        "label": "Muncă forțată",
        "active": True,
    }


def test_a_change_from_an_older_version_is_refused_with_409_and_nothing_is_saved(api: Api) -> None:
    case = new_case()
    client = api("caseworker.ijm")
    read = client.patch(url(case), body()).json()
    assert read["version"] == 1
    assert client.patch(url(case), {"account": "First correction.", "version": 1}).status_code == 200
    refused = client.patch(url(case), {"decided_by": "court", "version": 1})
    assert refused.status_code == 409
    assert "caseworker.ijm" in refused.json()["message"]
    stored = CaseIdentification.objects.get(case=case)
    assert (stored.decided_by, stored.account, stored.version) == ("police", "First correction.", 2)
    assert client.patch(url(case), {"decided_by": "court", "version": 2}).json()["version"] == 3
