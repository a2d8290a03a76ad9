"""Period introductions: coordinators of a programme's organisations write them per period and language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import PeriodNarrative, Programme
from nextsteps.reports.builder import build_report
from tests import factories

pytestmark = pytest.mark.django_db
NEW = {"start": "2022-01-01", "end": "2022-06-30", "language": "ro", "text": "Primul semestru din 2022."}


def url(name: str, *args: object) -> str:
    return reverse(f"programmes:narrative-{name}", args=["next-steps", *args])


def test_it_lists_the_programmes_introductions(login: Callable[[str], Client], demo: Programme) -> None:
    html = login("coordinator").get(url("list")).content.decode()
    assert "Next Steps began in August 2021" in html


def test_a_new_introduction_opens_the_report_of_its_period(
    login: Callable[[str], Client], demo: Programme
) -> None:
    response = login("coordinator").post(url("create"), NEW)
    assert response.status_code == 302
    narrative = PeriodNarrative.objects.get(programme=demo, language="ro", start=dt.date(2022, 1, 1))
    report = build_report(demo, dt.date(2022, 1, 1), dt.date(2022, 6, 30), "ro")
    assert report.narrative == "Primul semestru din 2022."
    entry = AuditEntry.objects.get(model="programmes.PeriodNarrative", object_pk=str(narrative.pk))
    assert entry.action == "create" and entry.user is not None and entry.organisation is not None
    assert entry.organisation.slug == "next-steps-nl"


def test_it_edits_and_deletes_an_introduction(login: Callable[[str], Client], demo: Programme) -> None:
    client = login("coordinator")
    narrative = PeriodNarrative.objects.filter(programme=demo, language="en").first()
    assert narrative is not None
    data = {
        "start": narrative.start.isoformat(),
        "end": narrative.end.isoformat(),
        "language": "en",
        "text": "New.",
    }
    assert client.post(url("edit", narrative.pk), data).status_code == 302
    narrative.refresh_from_db()
    assert narrative.text == "New."
    assert AuditEntry.objects.filter(object_pk=str(narrative.pk), action="change", fields=["text"]).exists()
    assert client.post(url("delete", narrative.pk)).status_code == 302
    assert not PeriodNarrative.objects.filter(pk=narrative.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": "2021-12-31"}, "end"),  # before its start
        ({"text": ""}, "text"),
        ({"language": "de"}, "language"),
        ({"start": "2021-08-01", "end": "2021-12-31", "language": "nl"}, "language"),  # the demo has it
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(
    login: Callable[[str], Client], demo: Programme, change: dict[str, str], field: str
) -> None:
    count = PeriodNarrative.objects.count()
    response = login("coordinator").post(url("create"), {**NEW, **change})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert PeriodNarrative.objects.count() == count


def test_another_programmes_introductions_do_not_exist_for_the_coordinator(
    login: Callable[[str], Client],
) -> None:
    other = factories.programme(factories.organisation())
    narrative = PeriodNarrative.objects.create(
        programme=other, start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31), language="en", text="Other."
    )
    client = login("coordinator")
    assert client.get(reverse("programmes:narrative-list", args=[other.slug])).status_code == 404
    # Another programme's introduction reached through one's own programme: 404 too, and nothing changes.
    assert client.post(url("delete", narrative.pk)).status_code == 404
    assert PeriodNarrative.objects.filter(pk=narrative.pk).exists()
