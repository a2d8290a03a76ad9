"""`nextsteps import-template`: one template per record type, whose header the importer reads back."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError
from openpyxl import load_workbook

from nextsteps.imports import columns as c
from nextsteps.imports import templates
from nextsteps.imports.importer import ImportFailed, infer_type
from nextsteps.imports.readers import open_table
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as records
from tests import factories as f
from tests.importing import command, run


def test_it_prints_the_csv_header_of_a_type() -> None:
    out, _err = command("import-template", "persons")
    assert out.splitlines() == [",".join(c.TYPES["persons"].names)]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_with_example_every_template_imports_nothing_and_says_why(tmp_path: Path, fmt: str) -> None:
    org = f.organisation()
    prog = f.programme(org)
    for record_type in c.RECORD_TYPES:
        path = tmp_path / f"{record_type.key}.{fmt}"
        command("import-template", record_type.key, "-o", str(path), "--example")
        with pytest.raises(ImportFailed) as failed:
            run(prog, org, path)
        assert [(e.row, e.column) for e in failed.value.result.errors] == [(2, None)], record_type.key
        assert "example row" in failed.value.result.errors[0].message()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_template_reads_back_as_its_own_type(tmp_path: Path, fmt: str) -> None:
    for record_type in c.RECORD_TYPES:
        path = tmp_path / f"template.{fmt}"
        command("import-template", record_type.key, "-o", str(path))
        table = open_table(path, sheet=record_type.key)
        try:
            assert table.header == record_type.names
            assert list(table.rows()) == []
        finally:
            table.close()
        assert [t.key for t in infer_type(table.header)] == [record_type.key]


@pytest.mark.django_db
def test_the_xlsx_template_documents_its_columns_in_the_chosen_language(tmp_path: Path) -> None:
    path = tmp_path / "sessions.xlsx"
    command("import-template", "activities", "-o", str(path), "--lang", "ro")
    book = load_workbook(path, read_only=True)
    assert book.sheetnames[0] == "activities"
    help_rows = list(book[book.sheetnames[1]].iter_rows(values_only=True))
    by_column = {row[0]: row for row in help_rows[1:]}
    assert set(by_column) == set(c.TYPES["activities"].names)
    assert "school_session (Sesiune la școală)" in by_column["activity_type"][3]
    book.close()


@pytest.mark.django_db
def test_the_examples_of_all_templates_filled_in_import_together(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    prog.pillars.create(number=3, title_en="Prevention")
    paths = {}
    for record_type in c.RECORD_TYPES:
        path = tmp_path / f"{record_type.key}.csv"
        templates.write_file(path, record_type, [templates.example_row(record_type)])
        paths[record_type.key] = path
    # The consent and referral examples name another organisation of the programme (the person's consent
    # to share with it, the referral to it): they are imported once there is one.
    later = ("consents", "referrals")
    result = run(prog, org, *(path for key, path in paths.items() if key not in later))
    assert {key: counts.created for key, counts in result.counts.items()} == {
        t.key: 1 for t in c.RECORD_TYPES if t.key not in later
    }
    receiver, _new = Organisation.objects.get_or_create(
        slug="ijm-ro", defaults={"name": "IJM Romania", "country": "RO", "kind": "partner"}
    )
    prog.organisations.add(receiver)
    result = run(prog, org, *(paths[key] for key in later))
    assert {key: counts.created for key, counts in result.counts.items()} == {key: 1 for key in later}
    service = records.ServiceDelivery.objects.get(case__programme=prog)
    assert (service.external_id, service.case.external_id, service.case.person.external_id) == (
        "S-000001",
        "C-0001",
        "P-0001",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [(["nonsense"], "Unknown record type"), (["persons", "--format", "ods"], "Unknown format")],
)
def test_bad_input_gets_a_one_line_error(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        command("import-template", *args)
