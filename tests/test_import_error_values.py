"""Error lists name the row and the column of a bad cell, and never quote a value that identifies someone
(names, phone numbers, notes, or a cell under no known column): not in the importer's result, the stored
job, the job page, the command's output or its --errors file, nor for a Kobo export. Values that identify
no one (a bad date, an unknown code) are still quoted: they help the user."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from nextsteps.imports.importer import ImportFailed
from nextsteps.imports.models import ImportJob
from nextsteps.programmes.models import Organisation, Programme
from tests import factories as f
from tests.importing import command, importer_of, run, write_csv
from tests.test_import_kobo_command import kobo_csv

pytestmark = pytest.mark.django_db

GIVEN, FAMILY, PHONE = "Zenobia" * 20, "Quillfeather", "+40 777 123 456 789 000 111 222 333 444 555"
SECRETS = (GIVEN, FAMILY, PHONE, "Zenobia", "777 123 456")


def persons_lines() -> list[list[str]]:
    return [
        ["external_id", "sex", "birth_date", "given_name", "family_name", "phone"],
        # Too long a given name and phone, a bad date, and the family name in a column without a header.
        ["EV-1", "female", "1990-02-30", GIVEN, "", PHONE, FAMILY],
        # An unknown code: quoted, it helps and identifies no one.
        ["EV-2", "feminine", "", "", "", ""],
    ]


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_the_importer_names_row_and_column_but_quotes_no_identifying_value(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    header, *rows = persons_lines()
    path = write_csv(tmp_path / "persons.csv", header, rows)
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path)
    found = {(e.row, e.column, e.value) for e in failed.value.result.errors}
    assert found == {
        (2, "birth_date", "1990-02-30"),
        (2, "given_name", ""),
        (2, "phone", ""),
        (2, "G", ""),
        (3, "sex", "feminine"),
    }
    assert_no_secret(" ".join(e.line() for e in failed.value.result.errors))


def test_a_file_without_its_header_row_does_not_quote_the_names_in_its_first_row(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(tmp_path / "persons.csv", ["EV-1", "female", "Zenobia", "Quillfeather"])
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path, type="persons")
    lines = " ".join(e.line() for e in failed.value.result.errors)
    assert_no_secret(lines)
    assert {e.column for e in failed.value.result.errors if e.row == 1} >= {"A", "B", "C", "D", "external_id"}


def test_a_misspelt_column_is_named_by_its_letter_with_the_column_it_resembles(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(tmp_path / "persons.csv", ["external_id", "given_nmae"], [["EV-1", "Zenobia"]])
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path, type="persons")
    [error] = failed.value.result.errors
    assert (error.row, error.column) == (1, "B")
    assert "“given_name”" in error.message()


@pytest.fixture
def synchronous_jobs(settings: Any, tmp_path: Path) -> None:
    settings.IMPORTS_IN_BACKGROUND = False
    settings.DATA_DIR = tmp_path


def csv_bytes(lines: list[list[str]]) -> bytes:
    return ("\n".join(",".join(cells) for cells in lines) + "\n").encode("utf-8")


@pytest.mark.usefixtures("synchronous_jobs")
def test_the_stored_job_and_its_page_quote_no_identifying_value(
    login: Callable[[str], Client], demo: Programme
) -> None:
    client = login("caseworker.sa")
    org = Organisation.objects.get(slug="salvation-army-ro")
    response = client.post(
        reverse("imports:index"),
        {
            "organisation": org.pk,
            "programme": demo.pk,
            "uploads": [SimpleUploadedFile("persons.csv", csv_bytes(persons_lines()), "text/csv")],
            "date_format": "",
        },
        follow=True,
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    stored = json.loads(job.errors)
    assert [row[:4] for row in stored] == [
        ["persons.csv", 2, "birth_date", "1990-02-30"],
        ["persons.csv", 2, "given_name", ""],
        ["persons.csv", 2, "phone", ""],
        ["persons.csv", 2, "G", ""],
        ["persons.csv", 3, "sex", "feminine"],
    ]
    assert_no_secret(job.errors + job.summary)
    page = response.content.decode()
    assert "1990-02-30" in page
    assert_no_secret(page)


def test_the_command_output_and_its_error_file_quote_no_identifying_value(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    header, *rows = persons_lines()
    path = write_csv(tmp_path / "persons.csv", header, rows)
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError):
        command(
            "import", str(path), "--programme", prog.slug, "--organisation", org.slug, "--errors", str(errors)
        )
    written = errors.read_text(encoding="utf-8-sig")
    assert "feminine" in written
    assert_no_secret(written)
    # What the command prints on standard error goes through the same error lines.
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import",
            str(path),
            "--programme",
            prog.slug,
            "--organisation",
            org.slug,
            "--user",
            importer_of(org).username,
            stderr=err,
        )
    assert "feminine" in err.getvalue()
    assert_no_secret(err.getvalue())


def test_a_kobo_export_quotes_no_volunteer_name_or_phone(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = kobo_csv(
        tmp_path / "signup.csv",
        ["signed_up", "volunteer_name", "phone", "locality", "campaign", "consent"],
        [["2021-13-01", GIVEN, PHONE, "Oradea", "", "yes"]],
    )
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError):
        command(
            "import-kobo",
            str(path),
            "--programme",
            prog.slug,
            "--organisation",
            org.slug,
            "--form",
            "volunteer_signup",
            "--errors",
            str(errors),
        )
    written = errors.read_text(encoding="utf-8-sig")
    assert "2021-13-01" in written and ",phone," in written
    assert_no_secret(written)
