"""Indicator values and the report through the API: the same figures as the report, per audience, for the
programmes the user works in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import build_report
from nextsteps.reports.render import to_data
from tests import factories as f
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]
PERIOD = {"date_from": "2021-08-01", "date_to": "2021-12-31"}


def test_indicator_values_are_the_reports_figures(api: Api, demo: Programme) -> None:
    body = api("coordinator").get("/api/v1/programmes/next-steps/indicators", PERIOD).json()
    expected = to_data(build_report(demo, dt.date(2021, 8, 1), dt.date(2021, 12, 31), "nl"))
    assert body["audience"] == "internal" and body["language"] == "nl"
    assert body["period"] == expected["period"]
    assert len(body["indicators"]) == len(expected["indicators"]) > 5
    for got, want in zip(body["indicators"], expected["indicators"], strict=True):
        assert got["code"] == want["code"]
        assert (got["value"], got["target"], got["status"]) == (want["value"], want["target"], want["status"])
        assert got["cells"] == want["cells"]
    assert any(line["value"] for line in body["indicators"])


def test_viewers_get_only_the_external_audience(api: Api) -> None:
    viewer = api("viewer")
    assert viewer.get("/api/v1/programmes/next-steps/indicators", PERIOD).json()["audience"] == "external"
    refused = viewer.get("/api/v1/programmes/next-steps/indicators", {**PERIOD, "audience": "internal"})
    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["audience"]
    assert viewer.get("/api/v1/me").json()["report_audiences"] == ["external"]
    staff = api("caseworker.sa").get(
        "/api/v1/programmes/next-steps/indicators", {**PERIOD, "audience": "external"}
    )
    assert staff.json()["audience"] == "external"


def test_the_report_is_the_json_download_and_is_audited_as_an_export(api: Api, demo: Programme) -> None:
    response = api("viewer").get("/api/v1/programmes/next-steps/report", {**PERIOD, "lang": "ro"})
    assert response.status_code == 200
    expected = to_data(build_report(demo, dt.date(2021, 8, 1), dt.date(2021, 12, 31), "ro"))
    assert response.json() == {**expected, "audience": "external"}
    entry = AuditEntry.objects.filter(action="export", model="programmes.Programme").first()
    assert entry is not None and entry.user is not None and entry.user.username == "viewer"


def test_a_period_is_required_and_must_not_end_before_it_starts(api: Api) -> None:
    client = api("coordinator")
    missing = client.get("/api/v1/programmes/next-steps/indicators")
    assert missing.status_code == 422 and set(missing.json()["errors"]) == {"date_from", "date_to"}
    backwards = client.get(
        "/api/v1/programmes/next-steps/report", {"date_from": "2021-12-31", "date_to": "2021-08-01"}
    )
    assert backwards.status_code == 422 and list(backwards.json()["errors"]) == ["date_to"]


def test_programmes_of_other_organisations_do_not_exist(api: Api) -> None:
    other = f.programme(f.organisation())
    client = api("coordinator")
    assert [p["slug"] for p in client.get("/api/v1/programmes").json()] == ["next-steps"]
    for what in ("indicators", "report"):
        response = client.get(f"/api/v1/programmes/{other.slug}/{what}", PERIOD)
        assert response.status_code == 404, what
