"""Files are read as people save them: UTF-8 with or without BOM, commas or semicolons, XLSX sheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from nextsteps.imports.importer import ImportFailed, infer_type
from nextsteps.imports.readers import TableError, open_table
from nextsteps.records.models import Distribution, OutreachVisit, Person
from tests import factories as f
from tests.importing import run, write_csv

HEADER = ["external_id", "date", "locality", "site_type"]
ROWS = [["V-1", "2021-08-03", "Iași", "Stradă"], ["V-2", "2021-08-04", "Cluj-Napoca", "street"]]


@pytest.mark.parametrize(("delimiter", "bom"), [(",", False), (";", True), (";", False), (",", True)])
def test_csv_with_or_without_bom_and_with_commas_or_semicolons(
    tmp_path: Path, delimiter: str, bom: bool
) -> None:
    path = write_csv(tmp_path / "visits.csv", HEADER, ROWS, delimiter=delimiter, bom=bom)
    table = open_table(path)
    try:
        assert table.header == HEADER
        assert [cells for _n, cells in table.rows()] == ROWS
    finally:
        table.close()


def test_blank_rows_are_skipped_and_row_numbers_are_the_spreadsheets(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "visits.csv", HEADER, [ROWS[0], ["", "", "", ""], ROWS[1]])
    table = open_table(path)
    try:
        assert [n for n, _cells in table.rows()] == [2, 4]
    finally:
        table.close()


def test_a_file_that_is_not_utf8_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "visits.csv"
    path.write_bytes(";".join(HEADER).encode() + b"\nV-1;2021-08-03;Ia\xbai;street\n")
    with pytest.raises(TableError, match="UTF-8"):
        table = open_table(path)
        list(table.rows())


@pytest.mark.parametrize("name", ["visits.ods", "missing.csv"])
def test_other_files_get_a_clear_message(tmp_path: Path, name: str) -> None:
    if name.endswith(".ods"):
        (tmp_path / name).write_text("x")
    with pytest.raises(TableError):
        open_table(tmp_path / name)


def test_a_broken_workbook_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "visits.xlsx"
    path.write_text("not a zip")
    with pytest.raises(TableError, match="Excel"):
        open_table(path)


def test_the_type_is_told_from_the_header_and_else_from_the_file_name() -> None:
    assert [t.key for t in infer_type(HEADER)] == ["outreach_visits"]
    assert [t.key for t in infer_type(["External ID", "Sex"])] == ["persons"]
    # Households also need a locality, volunteers a sign-up date: only persons fit.
    assert [t.key for t in infer_type(["external_id", "code"])] == ["persons"]
    assert {t.key for t in infer_type(["visit", "person"])} == {"visit_persons"}
    assert {t.key for t in infer_type(["household", "person"])} == {"household_members"}
    assert [t.key for t in infer_type(["visit", "person"], "2021 visit persons.csv")] == ["visit_persons"]
    assert infer_type(["external_id", "nonsense"]) == []


@pytest.mark.django_db
def test_an_xlsx_file_imports_with_date_cells_numbers_and_text(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(["external_id", "date", "item", "quantity", "recipient_group"])
    sheet.append([101, dt.datetime(2021, 12, 11), "gift", 70, "women"])
    sheet.append(["D-2", "18.12.2021", "gift", 50.0, None])
    sheet.append([None, None, None, None, None])
    book.create_sheet("notes").append(["not", "imported"])
    path = tmp_path / "distributions.xlsx"
    book.save(path)
    result = run(prog, org, path)
    assert result.counts["distributions"].created == 2
    stored = dict(Distribution.objects.filter(programme=prog).values_list("external_id", "quantity"))
    assert stored == {"101": 70, "D-2": 50}
    assert Distribution.objects.get(external_id="D-2").date == dt.date(2021, 12, 18)


@pytest.mark.django_db
def test_an_xlsx_sheet_named_after_the_record_type_is_preferred(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "README"
    first.append(["Fill in the persons sheet"])
    persons = book.create_sheet("persons")
    persons.append(["external_id", "sex"])
    persons.append(["P-1", "Femeie"])
    path = tmp_path / "people.xlsx"
    book.save(path)
    with pytest.raises(ImportFailed):  # "Femeie" is not a label of the sex list
        run(prog, org, path, type="persons")
    persons["B2"] = "feminin"
    book.save(path)
    run(prog, org, path, type="persons")
    assert Person.objects.get(organisation=org).sex == "female"
    assert not OutreachVisit.objects.filter(programme=prog).exists()
