"""The referrals inbox sorts by its shown columns (with aria-sort) and downloads as CSV or XLSX: the page's
rows in the page's order, in the reader's language, audited, and nothing of what the reader may not see."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from nextsteps.audit.models import AuditEntry
from nextsteps.records import models as m
from nextsteps.referrals.models import Referral
from tests.referrals import sent_referral

pytestmark = pytest.mark.django_db

URL = reverse("referrals:index")
EXPORT = reverse("referrals:export")


def content(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def csv_rows(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"))))


def two_referrals() -> list[Referral]:
    """Two referrals of the Dutch office to IJM Romania, of persons whose codes sort apart."""
    cases = m.Case.objects.filter(
        organisation__slug="next-steps-nl", status="open", referrals__isnull=True
    ).order_by("pk")[:2]
    return [sent_referral(case) for case in cases]


def codes(referrals: list[Referral]) -> list[str]:
    return [referral.case.person.code for referral in referrals]


def test_the_inbox_sorts_by_person_both_ways_and_says_so_with_aria_sort(
    login: Callable[[str], Client],
) -> None:
    two_referrals()
    client = login("coordinator")
    up = client.get(URL, {"sort": "person"})
    sent = codes(up.context["sent"])
    assert len(sent) >= 2 and sent == sorted(sent)
    assert 'aria-sort="ascending"' in up.content.decode()
    down = client.get(URL, {"sort": "-person"})
    assert codes(down.context["sent"]) == sorted(sent, reverse=True)
    assert 'aria-sort="descending"' in down.content.decode()
    # The header links to the other direction, and the services (a list) do not sort.
    assert "?sort=-person" in up.content.decode()
    assert "sort=services" not in up.content.decode()


def test_an_unknown_sort_keeps_the_newest_first(login: Callable[[str], Client]) -> None:
    two_referrals()
    page = login("coordinator").get(URL, {"sort": "services"})
    days = [referral.sent_on for referral in page.context["sent"]]
    assert days == sorted(days, reverse=True)
    assert "aria-sort" not in page.content.decode()


def test_the_csv_holds_the_pages_rows_in_its_order_in_the_readers_language(
    login: Callable[[str], Client],
) -> None:
    two_referrals()
    client = login("coordinator")  # reads Dutch
    page = client.get(URL, {"sort": "-person"})
    rows = csv_rows(client.get(EXPORT, {"sort": "-person", "format": "csv"}))
    with translation.override("nl"):
        assert rows[0][:3] == [
            translation.gettext("List"),
            translation.gettext("Person"),
            translation.gettext("From"),
        ]
        sent = translation.gettext("Sent")
    assert [row[1] for row in rows[1:] if row[0] == sent] == codes(page.context["sent"])
    assert len(rows) - 1 == len(page.context["waiting"]) + len(page.context["received"]) + len(
        page.context["sent"]
    )


def test_the_receiver_downloads_what_waits_for_its_answer_as_an_xlsx(login: Callable[[str], Client]) -> None:
    referrals = two_referrals()
    client = login("caseworker.ijm")
    response = client.get(EXPORT, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(content(response))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    with translation.override("ro"):  # caseworker.ijm reads Romanian
        waiting = translation.gettext("Waiting for your answer")
    assert {row[1] for row in rows if row[0] == waiting} >= set(codes(referrals))


def test_each_referral_downloaded_is_audited_under_its_cases_organisation(
    login: Callable[[str], Client],
) -> None:
    referrals = two_referrals()
    csv_rows(login("caseworker.ijm").get(EXPORT, {"format": "csv"}))
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, model="referrals.Referral")
    for referral in referrals:
        entry = entries.get(object_pk=str(referral.pk))
        assert entry.user is not None and entry.user.username == "caseworker.ijm"
        assert entry.organisation == referral.case.organisation


def test_another_organisations_referrals_are_not_in_its_download(login: Callable[[str], Client]) -> None:
    referrals = two_referrals()
    rows = csv_rows(login("caseworker.sa").get(EXPORT, {"format": "csv"}))
    assert not set(codes(referrals)) & {row[1] for row in rows[1:]}
    assert not AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT, object_pk__in=[str(r.pk) for r in referrals]
    ).exists()


def test_roles_without_the_referrals_page_have_no_download(login: Callable[[str], Client]) -> None:
    assert login("outreach.sa").get(EXPORT, {"format": "csv"}).status_code == 404
    assert login("coordinator").get(EXPORT, {"format": "ods"}).status_code == 404
