"""The reports page: choose programme, period, language and format; read it in the page or download it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
QUERY = {
    "programme": "next-steps",
    "date_from": "2021-08-01",
    "date_to": "2021-12-31",
    "lang": "en",
    "format": "html",
    "audience": "internal",
}


def test_it_shows_the_report_in_the_page(login: Callable[[str], Client]) -> None:
    html = login("coordinator").get(reverse("reports"), QUERY).content.decode()
    assert "13 trafficking survivors were helped to return home" in html


def test_it_downloads_the_report_and_audits_the_export(login: Callable[[str], Client]) -> None:
    response = login("coordinator").get(reverse("report-download"), {**QUERY, "format": "json"})
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="next-steps-20210801-20211231-en-internal.json"'
    )
    assert b'"survivors-return-legal"' in response.content
    assert AuditEntry.objects.filter(action="export", user__username="coordinator").exists()


def test_a_viewer_is_offered_only_the_external_audience(login: Callable[[str], Client]) -> None:
    form = login("viewer").get(reverse("reports")).context["form"]
    assert [value for value, _label in form.fields["audience"].choices] == ["external"]
    response = login("viewer").get(reverse("report-download"), QUERY)
    assert response.status_code == 400


def test_a_programme_of_another_organisation_is_not_offered(login: Callable[[str], Client]) -> None:
    response = login("coordinator").get(reverse("reports"), {**QUERY, "programme": "no-such-programme"})
    assert response.context["report"] is None
    assert response.context["form"].errors["programme"]


def test_its_default_dates_are_iso_dates_that_a_date_input_shows_in_dutch(
    login: Callable[[str], Client],
) -> None:
    # The coordinator reads Dutch: "01-08-2026" in a type=date input is no value at all for a browser.
    response = login("coordinator").get(reverse("reports"))
    html = response.content.decode()
    start = response.context["form"].initial["date_from"]
    assert f'type="date" name="date_from" value="{start:%Y-%m-%d}"' in html
    assert f'type="date" name="date_to" value="{dt.date.today():%Y-%m-%d}"' in html
    assert f"{start:%d-%m-%Y}" not in html


def test_a_report_shown_in_the_page_has_no_second_main_heading(login: Callable[[str], Client]) -> None:
    html = login("coordinator").get(reverse("reports"), QUERY).content.decode()
    assert html.count("<h1") == 1
    assert "<h2>Next Steps" in html
