"""The likely duplicate persons page sorts by its shown columns (with aria-sort) and downloads as CSV or XLSX:
the page's pairs in the page's order, codes and years only, in the reader's language, each person audited,
and never another organisation's persons."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Person
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("records:person-duplicates")
EXPORT = reverse("records:person-duplicates-export")


@pytest.fixture(autouse=True)
def _in_english(db: Any) -> None:
    User.objects.filter(username="caseworker.sa").update(language="en")


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def twins(
    organisation: Organisation, given: str, code: str, year: int | None = 1991
) -> tuple[Person, Person]:
    born = dt.date(year, 5, 1) if year else None
    first = f.person(organisation, born=born, given_name=given, family_name="Dublura")
    second = f.person(organisation, given_name=given.upper(), family_name="dublura")
    for person, n in ((first, 1), (second, 2)):
        Person.objects.filter(pk=person.pk).update(code=f"{code}-{n}")
        person.refresh_from_db()
    return first, second


def content(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def csv_rows(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"))))


def three_pairs() -> None:
    sa = org("salvation-army-ro")
    twins(sa, "Zamfira", "B-DUP", 1991)
    twins(sa, "Veturia", "A-DUP", 1975)
    twins(sa, "Floarea", "C-DUP", None)


def firsts(page: Any) -> list[str]:
    return [pair.first.code for pair in page.context["pairs"] if pair.first.code.endswith("DUP-1")]


def test_the_pairs_sort_by_a_column_both_ways_with_aria_sort(login: Callable[[str], Client]) -> None:
    three_pairs()
    client = login("caseworker.sa")
    up = client.get(URL, {"sort": "person"})
    assert firsts(up) == ["A-DUP-1", "B-DUP-1", "C-DUP-1"]
    assert 'aria-sort="ascending"' in up.content.decode()
    down = client.get(URL, {"sort": "-person"})
    assert firsts(down) == ["C-DUP-1", "B-DUP-1", "A-DUP-1"]
    assert 'aria-sort="descending"' in down.content.decode()
    # By year of birth: the pair without one last, either way.
    assert firsts(client.get(URL, {"sort": "year"})) == ["A-DUP-1", "B-DUP-1", "C-DUP-1"]
    assert firsts(client.get(URL, {"sort": "-year"})) == ["B-DUP-1", "A-DUP-1", "C-DUP-1"]


def test_the_csv_holds_the_pages_pairs_in_its_order_codes_and_years_only(
    login: Callable[[str], Client],
) -> None:
    three_pairs()
    rows = csv_rows(login("caseworker.sa").get(EXPORT, {"sort": "-year", "format": "csv"}))
    assert rows[0] == ["Person", "Possibly the same as", "Year of birth"]
    ours = [row for row in rows[1:] if row[0].endswith("DUP-1")]
    assert ours == [
        ["B-DUP-1", "B-DUP-2", "1991 / –"],
        ["A-DUP-1", "A-DUP-2", "1975 / –"],
        ["C-DUP-1", "C-DUP-2", "– / –"],
    ]
    assert "Zamfira" not in "".join(",".join(row) for row in rows)


def test_the_xlsx_is_in_the_readers_language(login: Callable[[str], Client]) -> None:
    three_pairs()
    User.objects.filter(username="caseworker.sa").update(language="ro")
    response = login("caseworker.sa").get(EXPORT, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(content(response))).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    with translation.override("ro"):
        assert header[1] == translation.gettext("possibly the same as").capitalize()
    assert translation.gettext("possibly the same as") != header[1]


def test_each_person_downloaded_is_audited(login: Callable[[str], Client]) -> None:
    three_pairs()
    csv_rows(login("caseworker.sa").get(EXPORT, {"format": "csv"}))
    persons = Person.objects.filter(code__contains="-DUP-")
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, model="records.Person")
    assert set(entries.values_list("object_pk", flat=True)) >= {str(p.pk) for p in persons}
    assert set(entries.values_list("organisation__slug", flat=True)) == {"salvation-army-ro"}


def test_another_organisations_pairs_are_not_in_the_download(login: Callable[[str], Client]) -> None:
    three_pairs()
    twins(org("ijm-ro"), "Ilinca", "IJM-DUP")
    rows = csv_rows(login("caseworker.sa").get(EXPORT, {"format": "csv"}))
    assert not [row for row in rows if row[0].startswith("IJM-DUP")]
    ijm = Person.objects.filter(code__startswith="IJM-DUP").values_list("pk", flat=True)
    assert not AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT, object_pk__in=[str(pk) for pk in ijm]
    )


def test_who_may_not_merge_has_no_download(login: Callable[[str], Client]) -> None:
    assert login("outreach.sa").get(EXPORT, {"format": "csv"}).status_code == 404
    assert login("caseworker.sa").get(EXPORT, {"format": "pdf"}).status_code == 404
