"""Indicator values and the report through the API: the same figures as the report, per audience, for the
programmes the user works in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import EXTERNAL, INTERNAL, build_report
from nextsteps.reports.render import to_data
from tests import factories as f
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]
PERIOD = {"date_from": "2021-08-01", "date_to": "2021-12-31"}
START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)


def test_indicator_values_are_the_reports_figures(api: Api, demo: Programme) -> None:
    body = (
        api("coordinator")
        .get("/api/v1/programmes/next-steps/indicators", {**PERIOD, "audience": "internal"})
        .json()
    )
    expected = to_data(build_report(demo, START, END, "nl", audience=INTERNAL))
    assert body["audience"] == "internal" and body["language"] == "nl"
    assert body["period"] == expected["period"] and body["audience_note"] == expected["audience_note"]
    assert len(body["indicators"]) == len(expected["indicators"]) > 5
    for got, want in zip(body["indicators"], expected["indicators"], strict=True):
        assert got["code"] == want["code"]
        assert (got["value"], got["target"], got["status"]) == (want["value"], want["target"], want["status"])
        assert got["cells"] == want["cells"]
    assert any(line["value"] for line in body["indicators"])


def test_figures_are_external_unless_the_exact_ones_are_asked_for(api: Api, demo: Programme) -> None:
    # As on the reports page: an exact report is something to ask for, not to send out by accident.
    body = api("caseworker.sa").get("/api/v1/programmes/next-steps/indicators", PERIOD).json()
    expected = to_data(build_report(demo, START, END, body["language"], audience=EXTERNAL))
    assert body["audience"] == "external"
    assert figures(body) == figures(expected)


def test_viewers_get_only_the_external_audience(api: Api) -> None:
    viewer = api("viewer")
    assert viewer.get("/api/v1/programmes/next-steps/indicators", PERIOD).json()["audience"] == "external"
    asked = viewer.get("/api/v1/programmes/next-steps/indicators", {**PERIOD, "audience": "internal"})
    assert asked.status_code == 200 and asked.json()["audience"] == "external"
    assert viewer.get("/api/v1/me").json()["report_audiences"] == ["external"]
    unknown = viewer.get("/api/v1/programmes/next-steps/indicators", {**PERIOD, "audience": "everyone"})
    assert unknown.status_code == 422 and list(unknown.json()["errors"]) == ["audience"]


def figures(body: dict[str, Any]) -> list[Any]:
    return [(line["code"], line["value"], line["cells"], line["status"]) for line in body["indicators"]]


def small_person_counts(indicators: list[dict[str, Any]], persons: set[str], threshold: int) -> list[Any]:
    """Every figure of people (totals and cells) that is a number between 1 and the threshold."""
    found = []
    for line in indicators:
        if line["code"] not in persons:
            continue
        figures = [line["value"], *(v for cells in line["cells"].values() for v in cells.values())]
        found += [(line["code"], v) for v in figures if isinstance(v, int | float) and 0 < v < threshold]
    return found


@pytest.mark.parametrize("threshold", [5, 10])
def test_a_viewers_token_gets_suppressed_figures_even_when_asking_for_internal(
    api: Api, demo: Programme, threshold: int
) -> None:
    demo.suppression_threshold = threshold
    demo.save(update_fields=["suppression_threshold"])
    internal = build_report(demo, START, END, "en", audience=INTERNAL)
    persons = {line.indicator.code for line in internal.lines if line.persons}
    # The demo has small counts of people in this period, so there is something to withhold.
    assert small_person_counts(to_data(internal)["indicators"], persons, threshold)
    viewer = api("viewer")
    for what in ("indicators", "report"):
        response = viewer.get(f"/api/v1/programmes/next-steps/{what}", {**PERIOD, "audience": "internal"})
        body = response.json()
        assert response.status_code == 200 and body["audience"] == "external", what
        assert small_person_counts(body["indicators"], persons, threshold) == [], what
        external = to_data(build_report(demo, START, END, body["language"], audience=EXTERNAL))
        assert figures(body) == figures(external), what


def test_the_report_is_the_json_download_and_is_audited_as_an_export(api: Api, demo: Programme) -> None:
    response = api("viewer").get("/api/v1/programmes/next-steps/report", {**PERIOD, "lang": "ro"})
    assert response.status_code == 200
    assert response.json() == to_data(build_report(demo, START, END, "ro", audience=EXTERNAL))
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
