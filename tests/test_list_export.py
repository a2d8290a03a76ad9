"""A record list downloads as CSV or XLSX: the columns the page shows, of the records its filters and sort
select and the reader may see, in the reader's language, every typed text written as text, and audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from openpyxl import load_workbook

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation
from nextsteps.records import actions
from nextsteps.records import models as m
from nextsteps.records.export_views import excel_date_format
from nextsteps.records.kinds import KINDS
from nextsteps.records.listing import column_label

pytestmark = pytest.mark.django_db

FORMULAS = ["=1+2", "@SUM(A1)", '=HYPERLINK("https://example.org","open")', "+1", "-1"]


def sa() -> Organisation:
    return Organisation.objects.get(slug="salvation-army-ro")


def content(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def csv_rows(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"))))


def xlsx_sheet(response: Any) -> Any:
    return load_workbook(io.BytesIO(content(response))).active


def export(client: Client, kind: str, **params: str) -> Any:
    return client.get(reverse(f"records:{kind}-export"), params)


def test_formula_looking_codes_come_out_as_text_in_csv(login: Callable[[str], Client]) -> None:
    for code in FORMULAS:
        actions.create_record(m.Person, acting_user=None, organisation=sa(), code=code, sex="female")
    rows = csv_rows(export(login("caseworker.sa"), "person", format="csv", sort="code"))
    codes = [row[0] for row in rows[1:]]
    for code in FORMULAS:
        assert "'" + code in codes
        assert code not in codes


def test_formula_looking_codes_are_string_cells_in_xlsx(login: Callable[[str], Client]) -> None:
    for code in FORMULAS:
        actions.create_record(m.Person, acting_user=None, organisation=sa(), code=code, sex="female")
    response = export(login("caseworker.sa"), "person", format="xlsx", q="1")
    assert response["Content-Type"] == KINDS_XLSX
    sheet = xlsx_sheet(response)
    cells = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2)}
    for code in ("=1+2", "+1", "-1"):
        assert cells[code].data_type == "s", code


KINDS_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_export_holds_exactly_the_filtered_sorted_list_of_the_readers_organisation(
    login: Callable[[str], Client],
) -> None:
    for code in ("ZZL-2", "ZZL-1", "ZZL-3"):
        actions.create_record(m.Person, acting_user=None, organisation=sa(), code=code, sex="female")
    ijm = Organisation.objects.get(slug="ijm-ro")
    actions.create_record(m.Person, acting_user=None, organisation=ijm, code="ZZL-9", sex="male")
    client = login("caseworker.sa")
    rows = csv_rows(export(client, "person", format="csv", q="ZZL-", sort="-code"))
    assert [row[0] for row in rows[1:]] == ["ZZL-3", "ZZL-2", "ZZL-1"]
    everything = csv_rows(export(client, "person"))
    own = set(m.Person.objects.filter(organisation=sa()).values_list("code", flat=True))
    assert {row[0] for row in everything[1:]} == own
    assert "ZZL-9" not in {row[0] for row in everything[1:]}


def test_the_columns_are_the_pages_with_headers_in_the_readers_language(
    login: Callable[[str], Client],
) -> None:
    client = login("coordinator")  # works in Dutch
    outcomes = KINDS["outcome"]
    rows = csv_rows(export(client, "outcome", sort="date"))
    with translation.override("nl"):
        assert rows[0] == [column_label(outcomes, column) for column in outcomes.list_columns]
        first = m.Outcome.objects.filter(case__organisation__slug="next-steps-nl").order_by("date", "pk")[0]
        assert rows[1] == [formats.date_format(first.date), str(first.outcome_type), str(first.case)]
    assert rows[0][0] == "Datum"
    page = client.get(reverse("records:outcome-list"), {"sort": "date"})
    assert [str(c) for c in page.context["rows"][0][1][1:]] == rows[1][1:]


def test_xlsx_writes_dates_as_dates_shown_as_the_language_writes_them(
    login: Callable[[str], Client],
) -> None:
    sheet = xlsx_sheet(export(login("coordinator"), "outcome", format="xlsx", sort="date"))
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[0] == "Datum"
    date = next(sheet.iter_rows(min_row=2, max_row=2))[0]
    first = m.Outcome.objects.filter(case__organisation__slug="next-steps-nl").order_by("date", "pk")[0]
    assert date.value.date() == first.date
    with translation.override("nl"):
        assert date.number_format == excel_date_format(str(formats.get_format("DATE_FORMAT")))
    assert date.number_format == "d mmm yyyy"


def test_each_exported_person_level_record_is_audited(login: Callable[[str], Client]) -> None:
    for code in ("ZZA-1", "ZZA-2"):
        actions.create_record(m.Person, acting_user=None, organisation=sa(), code=code, sex="female")
    before = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count()
    rows = csv_rows(export(login("caseworker.sa"), "person", q="ZZA-"))
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).order_by("pk")[before:]
    exported = m.Person.objects.filter(code__in=[row[0] for row in rows[1:]])
    assert len(exported) == 2
    assert sorted(e.object_pk for e in entries) == sorted(str(p.pk) for p in exported)
    assert {(e.model, e.user_id, e.organisation_id) for e in entries} == {
        ("records.Person", User.objects.get(username="caseworker.sa").pk, sa().pk)
    }
    assert entries[0].fields == sorted(KINDS["person"].list_columns)


def test_an_export_of_other_records_is_audited_once_per_organisation(login: Callable[[str], Client]) -> None:
    before = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count()
    content(export(login("prevention.dorcas"), "activity", format="xlsx"))
    entries = list(AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).order_by("pk")[before:])
    dorcas = Organisation.objects.get(slug="dorcas-ro")
    assert [(e.model, e.object_pk, e.user_id, e.organisation_id) for e in entries] == [
        ("records.Activity", "*", User.objects.get(username="prevention.dorcas").pk, dorcas.pk)
    ]


def test_the_list_links_to_its_downloads_with_its_filters_and_sort(login: Callable[[str], Client]) -> None:
    visit = m.OutreachVisit.objects.filter(organisation=sa()).first()
    assert visit is not None
    params = {"locality": visit.locality, "sort": "locality"}
    text = login("outreach.sa").get(reverse("records:visit-list"), params).content.decode()
    url = reverse("records:visit-export")
    for fmt in ("csv", "xlsx"):
        assert f'href="{url}?{urlencode(params).replace("&", "&amp;")}&amp;format={fmt}"' in text


def test_filters_with_a_mistake_send_the_reader_back_to_the_list(login: Callable[[str], Client]) -> None:
    before = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count()
    response = export(login("outreach.sa"), "visit", date_from="2022-01-01", date_to="2021-01-01")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("records:visit-list") + "?")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == before


def test_an_unknown_format_is_not_found(login: Callable[[str], Client]) -> None:
    assert export(login("outreach.sa"), "visit", format="pdf").status_code == 404


def test_a_reader_who_may_not_see_the_list_gets_404(login: Callable[[str], Client]) -> None:
    assert export(login("viewer"), "person").status_code == 404
    assert export(login("prevention.dorcas"), "visit", format="xlsx").status_code == 404


def test_dates_in_csv_are_written_as_on_the_page(login: Callable[[str], Client]) -> None:
    visit = m.OutreachVisit.objects.filter(organisation=sa()).order_by("-date", "-pk")[0]
    rows = csv_rows(export(login("outreach.sa"), "visit"))
    with translation.override("ro"):
        assert rows[1][0] == formats.date_format(visit.date)
    assert isinstance(visit.date, dt.date)


def test_my_cases_download_as_the_page_lists_them_audited(login: Callable[[str], Client]) -> None:
    client = login("caseworker.ijm")
    params = {"scope": "organisation", "status": "all", "sort": "code"}
    page = client.get(reverse("casework:mine"), params)
    shown = list(page.context["page"].object_list)
    assert shown and page.context["page"].paginator.count == len(shown)
    before = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count()
    rows = csv_rows(client.get(reverse("casework:mine-export"), params))
    expected = [c.person.code + (" (închis)" if c.status == "closed" else "") for c in shown]
    assert [row[0] for row in rows[1:]] == expected
    assert rows[0][:2] == ["Caz", "Nivel de risc"]  # the caseworker works in Romanian
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).order_by("pk")[before:]
    assert sorted(int(e.object_pk) for e in entries) == sorted(c.pk for c in shown)
    assert {e.model for e in entries} == {"records.Case"}
    ijm = Organisation.objects.get(slug="ijm-ro")
    assert {c.organisation_id for c in shown} == {ijm.pk}
    sheet = xlsx_sheet(client.get(reverse("casework:mine-export"), {**params, "format": "xlsx"}))
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == expected


def test_the_caseload_downloads_its_counts_audited_once_per_organisation(
    login: Callable[[str], Client],
) -> None:
    client = login("coordinator")  # works in Dutch
    shown = client.get(reverse("casework:caseload")).context["rows"]
    before = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count()
    rows = csv_rows(client.get(reverse("casework:caseload-export")))
    assert rows[0][:2] == ["Organisatie", "Verantwoordelijke casemanager"]
    assert [[row[0], row[2]] for row in rows[1:]] == [
        [r["organisation__name"], str(r["cases"])] for r in shown
    ]
    entries = list(AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).order_by("pk")[before:])
    assert [(e.model, e.object_pk, e.organisation.slug if e.organisation else None) for e in entries] == [
        ("records.Case", "*", "next-steps-nl")
    ]
    sheet = xlsx_sheet(client.get(reverse("casework:caseload-export"), {"format": "xlsx"}))
    assert [row[2].value for row in sheet.iter_rows(min_row=2)] == [r["cases"] for r in shown]
    assert login("caseworker.ijm").get(reverse("casework:caseload-export")).status_code == 404
