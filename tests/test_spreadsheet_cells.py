"""Spreadsheet formula injection: text that people typed is written as text in every CSV and XLSX file the
product makes (exported records, templates, the report's workbook), and an exported CSV imports back
unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nextsteps import spreadsheets
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Programme
from nextsteps.records import models as m
from nextsteps.reports.builder import build_report
from nextsteps.reports.documents import render_document
from tests.importing import command

pytestmark = pytest.mark.django_db

DANGEROUS = ['=HYPERLINK("https://example.org/x","open")', "+1", "-x", "@SUM(1)", "\t=1", "\r=1"]
START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)


@pytest.mark.parametrize("text", [*DANGEROUS, "'=1", "''", "'+", "'plain", "plain", "", "-", "'"])
def test_a_csv_cell_reads_back_as_it_was_written(text: str) -> None:
    assert spreadsheets.from_csv(spreadsheets.to_csv(text)) == text


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_csv_cell_that_a_spreadsheet_would_run_starts_with_an_apostrophe(text: str) -> None:
    assert spreadsheets.to_csv(text) == "'" + text


def test_numbers_and_dates_stay_what_they_are() -> None:
    assert spreadsheets.csv_row([-5, 1.5, dt.date(2021, 1, 2), None]) == [-5, 1.5, dt.date(2021, 1, 2), ""]


def typed_by_people() -> tuple[m.Person, m.Activity, m.ServiceDelivery]:
    """Dangerous values in a person's names and phone, an activity's title and locality and a service's note
    of Dorcas (whose records are exported below)."""
    person = m.Person.objects.filter(organisation__slug="dorcas-ro").order_by("pk").first()
    activity = m.Activity.objects.filter(organisation__slug="dorcas-ro").order_by("pk").first()
    service = m.ServiceDelivery.objects.filter(case__organisation__slug="dorcas-ro").order_by("pk").first()
    assert person is not None and activity is not None and service is not None
    person.given_name, person.family_name, person.phone = DANGEROUS[0], DANGEROUS[3], DANGEROUS[1]
    person.save()
    activity.title, activity.locality = DANGEROUS[4], DANGEROUS[5]
    activity.save()
    service.note = DANGEROUS[2]
    service.save()
    return person, activity, service


def export(folder: Path, fmt: str) -> None:
    command(
        "export-records",
        str(folder),
        "--programme",
        "next-steps",
        "--organisation",
        "dorcas-ro",
        "--include-identifying",
        "--format",
        fmt,
    )


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def test_exported_csv_files_hold_typed_text_as_text(demo: Programme, tmp_path: Path) -> None:
    person, activity, service = typed_by_people()
    export(tmp_path, "csv")
    activity.refresh_from_db()
    row = next(r for r in csv_rows(tmp_path / "persons.csv") if r["code"] == person.code)
    assert (row["given_name"], row["family_name"], row["phone"]) == (
        "'" + DANGEROUS[0],
        "'" + DANGEROUS[3],
        "'" + DANGEROUS[1],
    )
    row = next(r for r in csv_rows(tmp_path / "activities.csv") if r["external_id"] == activity.external_id)
    assert (row["title"], row["locality"]) == ("'" + DANGEROUS[4], "'" + DANGEROUS[5])
    # Numbers stay numbers.
    assert row["attendance_total"] == str(m.Activity.objects.get(pk=activity.pk).attendance_total)
    row = next(r for r in csv_rows(tmp_path / "services.csv") if r["external_id"] == f"service-{service.pk}")
    assert row["note"] == "'" + DANGEROUS[2]


def test_exported_csv_files_import_back_unchanged(demo: Programme, tmp_path: Path) -> None:
    person, activity, service = typed_by_people()
    export(tmp_path, "csv")
    m.Person.objects.filter(pk=person.pk).update(given_name="changed", family_name="changed", phone="")
    m.Activity.objects.filter(pk=activity.pk).update(title="changed", locality="changed")
    m.ServiceDelivery.objects.filter(pk=service.pk).update(note="changed")
    files = [str(tmp_path / f"{name}.csv") for name in ("persons", "activities", "cases", "services")]
    command("import", *files, "--programme", "next-steps", "--organisation", "dorcas-ro")
    person.refresh_from_db()
    activity.refresh_from_db()
    service.refresh_from_db()
    assert (person.given_name, person.family_name, person.phone) == (DANGEROUS[0], DANGEROUS[3], DANGEROUS[1])
    # The importer trims the white space around every value, as it always does.
    assert (activity.title, activity.locality) == (DANGEROUS[4].strip(), DANGEROUS[5].strip())
    assert service.note == DANGEROUS[2]


def test_exported_workbooks_hold_typed_text_as_text_cells(demo: Programme, tmp_path: Path) -> None:
    person, activity, _service = typed_by_people()
    export(tmp_path, "xlsx")
    activity.refresh_from_db()
    sheet = load_workbook(tmp_path / "persons.xlsx")["persons"]
    head = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[head.index("code")].value == person.code)
    for name, text in (("given_name", DANGEROUS[0]), ("family_name", DANGEROUS[3]), ("phone", DANGEROUS[1])):
        cell = row[head.index(name)]
        assert (cell.value, cell.data_type) == (text, "s"), name
    sheet = load_workbook(tmp_path / "activities.xlsx")["activities"]
    head = [cell.value for cell in sheet[1]]
    row = next(
        r for r in sheet.iter_rows(min_row=2) if r[head.index("external_id")].value == activity.external_id
    )
    assert (row[head.index("title")].value, row[head.index("title")].data_type) == (DANGEROUS[4], "s")
    assert row[head.index("locality")].data_type == "s"
    assert row[head.index("attendance_total")].data_type == "n"
    # And the workbook imports back as it was.
    m.Activity.objects.filter(pk=activity.pk).update(title="changed")
    command(
        "import",
        str(tmp_path / "activities.xlsx"),
        "--programme",
        "next-steps",
        "--organisation",
        "dorcas-ro",
    )
    activity.refresh_from_db()
    assert activity.title == DANGEROUS[4].strip()


def test_the_report_workbook_for_donors_holds_typed_text_as_text_cells(demo: Programme) -> None:
    indicator = Indicator.objects.filter(pillar__programme=demo).order_by("pk").first()
    assert indicator is not None
    indicator.title_en = DANGEROUS[0]
    indicator.save()
    book = load_workbook(io.BytesIO(render_document(build_report(demo, START, END, "en"), "xlsx")))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    titles = [cell for cell in cells if cell.value == DANGEROUS[0]]
    assert titles and all(cell.data_type == "s" for cell in titles)
    assert not [cell for cell in cells if cell.data_type == "f"]
    # Figures stay numbers.
    assert any(cell.data_type == "n" and isinstance(cell.value, int | float) for cell in cells)


def test_a_template_workbook_has_no_formulas(demo: Programme, tmp_path: Path) -> None:
    command("import-template", "persons", "--format", "xlsx", "--output", str(tmp_path / "t.xlsx"))
    book = load_workbook(tmp_path / "t.xlsx")
    assert not [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
