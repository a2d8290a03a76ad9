"""Campaigns carry a kind from a managed list, on every path: the import template, export-records, the record
form and the API, so that a counting rule can name the kind rather than one year's campaign."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Programme
from nextsteps.records.models import Campaign, CampaignKind
from tests import factories as f
from tests.apiclient import ApiClient
from tests.importing import command, run, write_csv

pytestmark = pytest.mark.django_db

HEADER = ["slug", "name", "start", "end", "kind"]


def test_the_christmas_campaign_kind_is_there_from_the_start_in_three_languages() -> None:
    kind = CampaignKind.objects.get(code="women_for_women_christmas")
    assert "Women for women" in kind.label("en")
    assert "Vrouwen voor vrouwen" in kind.label("nl")
    assert "Femei pentru femei" in kind.label("ro")


def test_an_imported_campaign_gets_the_kind_of_its_kind_column(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(
        tmp_path / "campaigns.csv",
        HEADER,
        [
            ["w4w-2022", "Women for women 2022", "2022-11-15", "2022-12-31", "women_for_women_christmas"],
            ["spring-2022", "Spring", "2022-03-01", "2022-03-31", ""],
        ],
    )
    run(prog, org, path)
    assert Campaign.objects.get(programme=prog, slug="w4w-2022").kind.code == "women_for_women_christmas"  # type: ignore[union-attr]
    assert Campaign.objects.get(programme=prog, slug="spring-2022").kind is None


def test_an_unknown_kind_is_an_error_of_its_cell(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(
        tmp_path / "campaigns.csv",
        HEADER,
        [["w4w-2022", "Women for women", "2022-11-15", "2022-12-31", "xmas"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path)
    assert [(e.column, e.value) for e in failed.value.result.errors] == [("kind", "xmas")]
    assert not Campaign.objects.filter(programme=prog).exists()


def test_export_records_writes_the_kind_of_each_campaign(demo: Programme, tmp_path: Path) -> None:
    command("export-records", str(tmp_path), "--programme", "next-steps", "--organisation", "dorcas-ro")
    with open(tmp_path / "campaigns.csv", encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["slug"], r["kind"]) for r in rows] == [("women-for-women-2021", "women_for_women_christmas")]


def test_the_campaign_form_offers_and_saves_the_kind(demo: Programme, login: object) -> None:
    campaign = Campaign.objects.get(programme=demo, slug="women-for-women-2021")
    Campaign.objects.filter(pk=campaign.pk).update(kind=None)
    campaign.refresh_from_db()
    client: Client = login("volunteers.dorcas")  # type: ignore[operator]
    url = reverse("records:campaign-edit", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="kind"' in page.content.decode()
    kind = CampaignKind.objects.get(code="women_for_women_christmas")
    data = {
        "organisation": campaign.organisation_id,
        "name": campaign.name,
        "slug": campaign.slug,
        "kind": kind.pk,
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "purpose": campaign.purpose,
        "version": campaign.version,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign.refresh_from_db()
    assert campaign.kind == kind


def test_the_api_records_and_returns_a_campaigns_kind(
    demo: Programme, api: Callable[[str], ApiClient]
) -> None:
    kind = CampaignKind.objects.get(code="women_for_women_christmas")
    body = {
        "name": "Women for women",
        "slug": "w4w-2022",
        "start": "2022-11-15",
        "end": "2022-12-31",
        "kind": kind.pk,
    }
    response = api("volunteers.dorcas").post("/api/v1/records/campaigns", body)
    assert response.status_code == 201, response.json()
    assert response.json()["kind"] == kind.pk
    assert Campaign.objects.get(programme=demo, slug="w4w-2022").kind == kind
    body = {**body, "slug": "w4w-2023", "kind": 999999}
    response = api("volunteers.dorcas").post("/api/v1/records/campaigns", body)
    assert response.status_code == 422 and list(response.json()["errors"]) == ["kind"]
