"""A period is "already reported" from the first time an external report of it leaves the app: downloaded
from the reports page, written by `nextsteps report` or `nextsteps export iati`, or read through the API.
Once per programme and exact period; internal reports are not sent out and mark nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from nextsteps.programmes.models import Programme
from nextsteps.reports.models import ReportedPeriod
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db
START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)
QUERY = {
    "programme": "next-steps",
    "date_from": "2021-08-01",
    "date_to": "2021-12-31",
    "lang": "en",
    "format": "md",
}
PERIOD = ["--programme", "next-steps", "--from", "2021-08-01", "--to", "2021-12-31"]


def reported() -> list[tuple[dt.date, dt.date, str | None]]:
    return [
        (p.start, p.end, p.first_reported_by.username if p.first_reported_by else None)
        for p in ReportedPeriod.objects.select_related("first_reported_by").order_by("pk")
    ]


def test_an_external_download_marks_the_period_once(login: Callable[[str], Client]) -> None:
    coordinator, viewer = login("coordinator"), login("viewer")
    assert coordinator.get(reverse("report-download"), {**QUERY, "audience": "internal"}).status_code == 200
    assert reported() == []
    assert coordinator.get(reverse("report-download"), {**QUERY, "audience": "external"}).status_code == 200
    first = ReportedPeriod.objects.get()
    assert viewer.get(reverse("report-download"), {**QUERY, "audience": "external"}).status_code == 200
    assert reported() == [(START, END, "coordinator")]
    assert ReportedPeriod.objects.get().first_reported_at == first.first_reported_at
    # Reading the report in the page sends nothing out.
    login("viewer").get(reverse("reports"), {**QUERY, "date_to": "2021-11-30", "audience": "external"})
    assert len(reported()) == 1


def test_the_report_command_marks_an_external_report_only(demo: Programme) -> None:
    call_command("report", *PERIOD, "--audience", "internal", stdout=StringIO(), stderr=StringIO())
    assert reported() == []
    call_command("report", *PERIOD, "--audience", "external", stdout=StringIO(), stderr=StringIO())
    assert reported() == [(START, END, None)]


def test_the_api_report_marks_the_period(api: Callable[[str], ApiClient]) -> None:
    path = "/api/v1/programmes/next-steps/report"
    params = {"date_from": "2021-08-01", "date_to": "2021-12-31"}
    assert api("coordinator").get(path, {**params, "audience": "internal"}).status_code == 200
    assert reported() == []
    assert api("caseworker.sa").get(path, params).status_code == 200
    assert reported() == [(START, END, "caseworker.sa")]


def test_the_iati_export_marks_the_period(demo: Programme) -> None:
    call_command("export", "iati", *PERIOD, "--audience", "internal", stdout=StringIO(), stderr=StringIO())
    assert reported() == []
    call_command("export", "iati", *PERIOD, stdout=StringIO(), stderr=StringIO())
    assert reported() == [(START, END, None)]
