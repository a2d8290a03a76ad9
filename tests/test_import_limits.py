"""Limits on what an import reads: the size of a file, what a workbook unpacks to, the size of one cell. Each
is checked before the file is parsed, with a message in the user's language that names the file and the
limit; nothing is written, and memory stays small (a 1 MB workbook once made the server hold 1.5 GB)."""

from __future__ import annotations

import json
import os
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from nextsteps.imports import limits
from nextsteps.imports.models import ImportJob
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records.models import Person, Volunteer
from tests import factories as f
from tests.importing import command, importer_of, translated
from tests.test_import_kobo_command import kobo_csv

pytestmark = pytest.mark.django_db

MB = 1 << 20
PLACEHOLDER = "PLACEHOLDER-CELL"


def workbook(path: Path, fill: Callable[[Any], None]) -> Path:
    """A persons workbook whose second row's given name is written by `fill` straight into the part that
    holds it, as a stream: the test never holds the cell in memory either."""
    plain = path.with_suffix(".plain.xlsx")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "persons"
    sheet.append(["external_id", "sex", "given_name"])
    sheet.append(["LP-1", "female", PLACEHOLDER])
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            data = source.read(part)
            if PLACEHOLDER.encode() not in data:
                target.writestr(part, data)
                continue
            before, after = data.split(PLACEHOLDER.encode())
            with target.open(part.filename, "w", force_zip64=True) as stream:
                stream.write(before)
                fill(stream)
                stream.write(after)
    plain.unlink()
    return path


def repeated(size: int, chunk: bytes = b"A" * MB) -> Callable[[Any], None]:
    def fill(stream: Any) -> None:
        for _n in range(size // len(chunk)):
            stream.write(chunk)
        stream.write(chunk[: size % len(chunk)])

    return fill


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """The peak of Python's allocations inside the block, in bytes."""
    found: list[int] = []
    tracemalloc.start()
    try:
        yield found
    finally:
        found.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


def scope() -> tuple[Any, Any]:
    org = f.organisation()
    return f.programme(org), org


def import_command(path: Path, programme: Any, organisation: Any, *extra: str) -> str:
    """What the failing command says: its one message, or the errors it listed before its summary."""
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "import",
            str(path),
            "--programme",
            programme.slug,
            "--organisation",
            organisation.slug,
            "--user",
            importer_of(organisation).username,
            *extra,
            stderr=err,
        )
    return err.getvalue().strip() or str(failed.value)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbook of about 150 KB whose one cell unpacks to 128 MB."""
    path = workbook(tmp_path_factory.mktemp("bomb") / "persons.xlsx", repeated(128 * MB))
    assert path.stat().st_size < 1 * MB
    return path


def test_a_workbook_that_unpacks_to_a_thousand_times_its_size_is_refused_unopened(
    bomb: Path,
) -> None:
    programme, organisation = scope()
    with peak_memory() as peak:
        message = import_command(bomb, programme, organisation, "--lang", "ro")
    assert message == translated(
        "ro",
        "%(file)s unpacks to more than %(ratio)s times its size, which no genuine workbook does; it was not "
        "opened. Save it again from your spreadsheet program, or as CSV.",
        file="persons.xlsx",
        ratio=100,
    )
    assert peak[0] < 20 * MB
    assert not Person.objects.filter(organisation=organisation).exists()


@pytest.fixture
def synchronous_jobs(settings: Any, tmp_path: Path) -> None:
    settings.IMPORTS_IN_BACKGROUND = False
    settings.DATA_DIR = tmp_path / "data"


@pytest.mark.usefixtures("synchronous_jobs")
def test_the_upload_page_refuses_the_workbook_before_any_job_starts(
    bomb: Path, login: Callable[[str], Client], demo: Programme
) -> None:
    with peak_memory() as peak:
        response = login("caseworker.sa").post(
            reverse("imports:index"),
            {
                "organisation": Organisation.objects.get(slug="salvation-army-ro").pk,
                "programme": demo.pk,
                "uploads": [SimpleUploadedFile("persons.xlsx", bomb.read_bytes())],
                "date_format": "",
            },
        )
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    errors = " ".join(response.context["form"].errors["uploads"])
    assert "persons.xlsx" in errors and "100" in errors
    assert peak[0] < 20 * MB


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_refused(settings: Any, tmp_path: Path) -> None:
    settings.NEXTSTEPS_IMPORT_MAX_UNPACKED_MB = 1
    # Text that does not compress: the ratio is ordinary, the unpacked size is not.
    noise = os.urandom(MB).hex().encode()
    path = workbook(tmp_path / "persons.xlsx", lambda stream: stream.write(noise))
    programme, organisation = scope()
    message = import_command(path, programme, organisation, "--lang", "en")
    assert message == (
        "persons.xlsx unpacks to more than 1 MB, the most an import workbook may hold; split it into smaller "
        "files or save it as CSV."
    )


def test_a_text_longer_than_any_cell_is_refused_while_the_workbook_is_streamed(tmp_path: Path) -> None:
    # 600 KB of text: under the ratio's notice, over what any cell can hold.
    path = workbook(tmp_path / "persons.xlsx", repeated(600_000, b"AB" * 50_000))
    programme, organisation = scope()
    message = import_command(path, programme, organisation, "--lang", "en")
    assert message == (
        "persons.xlsx has a cell of more than 32,767 characters, the most a spreadsheet cell can hold."
    )


def test_a_cell_longer_than_a_spreadsheet_cell_is_refused_with_its_row_and_column(tmp_path: Path) -> None:
    path = workbook(tmp_path / "persons.xlsx", lambda stream: stream.write(b"A" * 40_000))
    programme, organisation = scope()
    message = import_command(path, programme, organisation, "--lang", "nl", "--type", "persons")
    assert "persons.xlsx" in message and "2" in message and "C" in message and "32.767" in message
    assert not Person.objects.filter(organisation=organisation).exists()


def test_a_csv_field_longer_than_a_spreadsheet_cell_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "persons.csv"
    path.write_text(f'external_id,sex,given_name\nLP-2,female,"{"A" * 40_000}"\n', encoding="utf-8")
    programme, organisation = scope()
    message = import_command(path, programme, organisation, "--lang", "en")
    assert message == (
        "persons.csv, row 2: a cell holds more than 32,767 characters, the most a spreadsheet cell can hold."
    )


def test_a_csv_line_without_end_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "persons.csv"
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("external_id,sex,given_name\nLP-3,female,")
        for _n in range(8):
            stream.write("A" * MB)
    programme, organisation = scope()
    with peak_memory() as peak:
        message = import_command(path, programme, organisation, "--lang", "en", "--type", "persons")
    assert message == (
        "persons.csv, row 2: the line is longer than 1,048,544 characters; is the file a CSV file?"
    )
    assert peak[0] < 6 * MB


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(settings: Any, tmp_path: Path) -> None:
    settings.NEXTSTEPS_IMPORT_MAX_FILE_MB = 1
    path = tmp_path / "persons.csv"
    rows = "".join(f"LP-{n},female\n" for n in range(100_000))
    path.write_text("external_id,sex\n" + rows, encoding="utf-8")
    programme, organisation = scope()
    message = import_command(path, programme, organisation, "--lang", "en")
    assert message == (
        "persons.csv is larger than 1 MB, the most an import file may be; split it into smaller files."
    )


@pytest.mark.usefixtures("synchronous_jobs")
def test_an_upload_larger_than_the_limit_is_dropped_as_it_arrives(
    settings: Any, login: Callable[[str], Client], demo: Programme
) -> None:
    settings.NEXTSTEPS_IMPORT_MAX_FILE_MB = 1
    content = b"external_id,sex\n" + b"".join(b"LP-%d,female\n" % n for n in range(100_000))
    response = login("caseworker.sa").post(
        reverse("imports:index"),
        {
            "organisation": Organisation.objects.get(slug="salvation-army-ro").pk,
            "programme": demo.pk,
            "uploads": [SimpleUploadedFile("persons.csv", content, "text/csv")],
            "date_format": "",
        },
    )
    assert not ImportJob.objects.exists()
    page = response.content.decode()
    # caseworker.sa works in Romanian.
    assert (
        translated(
            "ro",
            "%(file)s is larger than %(limit)s, the most an import file may be; split it into smaller files.",
            file="persons.csv",
            limit="1 MB",
        )
        in page
    )


def test_a_kobo_submission_longer_than_a_cell_is_refused(tmp_path: Path) -> None:
    programme, organisation = scope()
    path = kobo_csv(
        tmp_path / "signup.csv",
        ["signed_up", "volunteer_name", "phone", "locality", "campaign", "consent"],
        [["2021-09-01", "A" * 40_000, "", "Oradea", "", "yes"]],
    )
    exported = tmp_path / "signup.json"
    exported.write_text(
        json.dumps(
            {"results": [{"_uuid": "u-1", "signed_up": "2021-09-01", "volunteer_name": "A" * 40_000}]}
        ),
        encoding="utf-8",
    )
    for export in (path, exported):
        with pytest.raises(CommandError) as failed:
            command(
                "import-kobo",
                str(export),
                "--programme",
                programme.slug,
                "--organisation",
                organisation.slug,
                "--form",
                "volunteer_signup",
                "--lang",
                "en",
            )
        assert f"{export.name}, row 2" in str(failed.value)
        assert "32,767 characters" in str(failed.value)
    assert not Volunteer.objects.filter(organisation=organisation).exists()


def test_a_kobo_export_larger_than_the_limit_is_refused_before_it_is_read(
    settings: Any, tmp_path: Path
) -> None:
    settings.NEXTSTEPS_IMPORT_MAX_FILE_MB = 1
    programme, organisation = scope()
    path = tmp_path / "signup.json"
    path.write_text(json.dumps([{"_uuid": f"u-{n}", "note": "x" * 100} for n in range(10_000)]))
    with pytest.raises(CommandError) as failed:
        command(
            "import-kobo",
            str(path),
            "--programme",
            programme.slug,
            "--organisation",
            organisation.slug,
            "--form",
            "volunteer_signup",
            "--lang",
            "en",
        )
    assert str(failed.value) == limits.size_message("signup.json")


def test_a_workbook_of_more_parts_than_any_genuine_one_is_refused_unopened(tmp_path: Path) -> None:
    path = tmp_path / "persons.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(limits.MAX_PARTS + 1):
            archive.writestr(f"p/{n}", b"")
    programme, organisation = scope()
    message = import_command(path, programme, organisation, "--lang", "en")
    assert message == (
        "persons.xlsx holds more than 10,000 parts, which no genuine workbook does; it was not opened."
    )
