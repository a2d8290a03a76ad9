"""Removing a record dated in a period whose external report was already sent says, before anything is
deleted, which figures of that report change (before → after, computed by the report's engine in a
transaction that is rolled back), and removes it only once the user ticks that they understand; the API
answers 409 with the same words unless told `confirm_reported: true`. Correcting such a record asks why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from nextsteps.audit.log import data_version
from nextsteps.audit.models import AuditEntry
from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from nextsteps.reports import reported
from nextsteps.reports.builder import EXTERNAL
from tests.apiclient import ApiClient
from tests.casework_helpers import user

pytestmark = pytest.mark.django_db
START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)
WHY = {"reason": "Entered for the wrong shelter."}
code_numbers = iter(range(1, 1000))


def shelter_visit(programme: Programme, on: dt.date = dt.date(2021, 9, 10)) -> m.OutreachVisit:
    """A visit of the Salvation Army's outreach worker to a shelter in Oradea, meeting a woman no one else met."""
    organisation = Organisation.objects.get(slug="salvation-army-ro")
    woman = actions.create_record(
        m.Person,
        acting_user=None,
        organisation=organisation,
        code=f"WARN-{next(code_numbers)}",
        sex=m.Sex.FEMALE,
        birth_year=1990,
    )
    return actions.record_outreach_round(
        acting_user=user("outreach.sa"),
        programme=programme,
        organisation=organisation,
        date=on,
        locality="Oradea",
        site_type=m.SiteType.objects.get(code="homeless_shelter"),
        persons=[woman],
    )


def shelter_women(programme: Programme) -> tuple[Indicator, Any]:
    indicator = Indicator.objects.get(pillar__programme=programme, code="shelter-women-oradea")
    return indicator, engine.value(indicator, START, END).total


@pytest.fixture
def sent(demo: Programme) -> Any:
    return reported.mark_reported(demo, START, END, EXTERNAL, acting_user=user("coordinator"))


def test_the_page_names_the_figure_before_and_after_and_deletes_nothing_without_the_tick(
    demo: Programme, sent: Any, login: Callable[[str], Client]
) -> None:
    visit = shelter_visit(demo)
    indicator, before = shelter_women(demo)
    version = data_version()
    client = login("outreach.sa")
    url = reverse("records:visit-delete", args=[visit.pk])
    page = client.get(url)
    with translation.override("ro"):
        expected = f"{indicator.title('ro')} {before} → {before - 1}"
        period = reported.period_label(START, END)
    text = page.content.decode()
    assert expected in text and period in text
    assert 'type="checkbox" name="confirm_reported"' in text
    # Asking changed nothing: the dry run was rolled back.
    assert m.OutreachVisit.objects.filter(pk=visit.pk).exists() and visit.persons.count() == 1
    assert shelter_women(demo)[1] == before and data_version() == version
    refused = client.post(url, WHY)
    assert refused.status_code == 200 and refused.context["form"].errors["confirm_reported"]
    assert m.OutreachVisit.objects.filter(pk=visit.pk).exists()
    assert not AuditEntry.objects.filter(action="delete", model="records.OutreachVisit").exists()
    assert client.post(url, {**WHY, "confirm_reported": "on"}).status_code == 302
    assert not m.OutreachVisit.objects.filter(pk=visit.pk).exists()
    assert shelter_women(demo)[1] == before - 1


def test_a_record_outside_any_reported_period_shows_no_warning(
    demo: Programme, sent: Any, login: Callable[[str], Client]
) -> None:
    visit = shelter_visit(demo, on=dt.date(2022, 3, 1))
    client = login("outreach.sa")
    url = reverse("records:visit-delete", args=[visit.pk])
    page = client.get(url)
    assert page.context["warnings"] == [] and "→" not in page.content.decode()
    assert 'type="checkbox" name="confirm_reported"' not in page.content.decode()
    assert client.post(url, WHY).status_code == 302
    assert not m.OutreachVisit.objects.filter(pk=visit.pk).exists()


def test_without_a_report_sent_the_same_visit_shows_no_warning(
    demo: Programme, login: Callable[[str], Client]
) -> None:
    visit = shelter_visit(demo)
    assert (
        login("outreach.sa").get(reverse("records:visit-delete", args=[visit.pk])).context["warnings"] == []
    )


def test_the_api_refuses_without_confirm_reported_and_says_why(
    demo: Programme, sent: Any, api: Callable[[str], ApiClient]
) -> None:
    visit = shelter_visit(demo)
    indicator, before = shelter_women(demo)
    client = api("outreach.sa")
    path = f"/api/v1/records/visits/{visit.pk}"
    refused = client.delete(path, WHY)
    assert refused.status_code == 409
    assert f"{indicator.title('ro')} {before} → {before - 1}" in refused.json()["message"]
    assert m.OutreachVisit.objects.filter(pk=visit.pk).exists()
    assert client.delete(path, {**WHY, "confirm_reported": True}).status_code == 204
    assert not m.OutreachVisit.objects.filter(pk=visit.pk).exists()


def test_the_warning_costs_the_same_queries_whatever_the_number_of_records(
    demo: Programme, sent: Any
) -> None:
    visit = shelter_visit(demo)
    with CaptureQueriesContext(connection) as few:
        assert reported.removal_changes("visit", visit)
    for _n in range(8):
        shelter_visit(demo)
    with CaptureQueriesContext(connection) as many:
        assert reported.removal_changes("visit", visit)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_correcting_a_record_of_a_reported_period_asks_why(
    demo: Programme, sent: Any, login: Callable[[str], Client]
) -> None:
    visit = shelter_visit(demo)
    client = login("outreach.sa")
    url = reverse("records:visit-edit", args=[visit.pk])
    form = client.get(url).context["form"]
    assert form.fields["correction_reason"].required
    data: dict[str, Any] = {}
    for field in form:
        value = field.value()
        if isinstance(value, list):
            data[field.html_name] = [str(v) for v in value]
        elif value is not None:
            data[field.html_name] = value
    data["locality"] = "Cluj"
    refused = client.post(url, data)
    assert refused.status_code == 200 and refused.context["form"].errors["correction_reason"]
    visit.refresh_from_db()
    assert visit.locality == "Oradea"
    data["correction_reason"] = "The visit was in Cluj."
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.filter(
        action="change", model="records.OutreachVisit", object_pk=str(visit.pk)
    ).latest("pk")
    assert entry.fields == ["locality"] and entry.reason.text == "The visit was in Cluj."
    later = shelter_visit(demo, on=dt.date(2022, 3, 1))
    assert (
        not client.get(reverse("records:visit-edit", args=[later.pk]))
        .context["form"]
        .fields["correction_reason"]
        .required
    )


def test_the_api_corrects_a_record_of_a_reported_period_only_with_a_reason(
    demo: Programme, sent: Any, api: Callable[[str], ApiClient]
) -> None:
    # The edit page's rule, on the API's path too: it lives in the action both call.
    visit = shelter_visit(demo)
    client = api("outreach.sa")
    path = f"/api/v1/records/visits/{visit.pk}"
    refused = client.patch(path, {"locality": "Cluj"})
    assert refused.status_code == 422
    assert "correction_reason" in refused.json()["errors"]
    visit.refresh_from_db()
    assert visit.locality == "Oradea"
    assert client.patch(path, {"locality": "Cluj", "correction_reason": 7}).status_code == 422
    changed = client.patch(path, {"locality": "Cluj", "correction_reason": "The visit was in Cluj."})
    assert changed.status_code == 200, changed.json()
    entry = AuditEntry.objects.filter(
        action="change", model="records.OutreachVisit", object_pk=str(visit.pk)
    ).latest("pk")
    assert entry.fields == ["locality"] and entry.reason.text == "The visit was in Cluj."


def test_the_api_corrects_a_record_outside_any_reported_period_without_a_reason(
    demo: Programme, sent: Any, api: Callable[[str], ApiClient]
) -> None:
    later = shelter_visit(demo, on=dt.date(2022, 3, 1))
    changed = api("outreach.sa").patch(f"/api/v1/records/visits/{later.pk}", {"locality": "Cluj"})
    assert changed.status_code == 200, changed.json()
