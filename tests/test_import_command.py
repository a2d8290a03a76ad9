"""`nextsteps import`: files in, a summary out; progress on a terminal; one-line errors for bad input."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from nextsteps.imports.cli import ProgressBar, file_source
from nextsteps.imports.importer import Importer, Progress
from nextsteps.programmes.models import Programme
from nextsteps.records.models import OutreachVisit, Person
from tests import factories as f
from tests.importing import command, importer_of, write_csv

pytestmark = pytest.mark.django_db

VISITS = ["external_id", "date", "locality", "site_type"]


def visits_file(folder: Path, rows: int = 3, name: str = "outreach_visits.csv") -> Path:
    return write_csv(folder / name, VISITS, [[f"V-{i}", "2021-08-03", "Iași", "street"] for i in range(rows)])


def test_it_imports_the_files_and_prints_what_it_did(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    persons = write_csv(tmp_path / "people.csv", ["external_id", "sex"], [["P-1", "female"]])
    out, err = command(
        "import",
        str(visits_file(tmp_path)),
        str(persons),
        "--programme",
        prog.slug,
        "--organisation",
        org.slug,
    )
    assert out.splitlines() == [
        "persons: 1 added, 0 changed, 0 unchanged.",
        "outreach visits: 3 added, 0 changed, 0 unchanged.",
    ]
    assert err == ""  # no progress bar: standard error is not a terminal
    assert OutreachVisit.objects.filter(programme=prog).count() == 3


def test_two_files_of_the_same_name_in_two_folders_are_told_apart(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_csv(tmp_path / "a" / "persons.csv", ["external_id", "sex"], [["P-1", "female"]])
    second = write_csv(tmp_path / "b" / "persons.csv", ["external_id", "sex"], [["P-1", "male"]])
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import",
            str(first),
            str(second),
            "--programme",
            prog.slug,
            "--organisation",
            org.slug,
            "--user",
            importer_of(org).username,
            stderr=err,
        )
    assert f"{second}, row 2, column “external_id”" in err.getvalue()


def test_a_dry_run_checks_everything_and_writes_nothing(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    out, _err = command(
        "import",
        str(visits_file(tmp_path)),
        "--programme",
        prog.slug,
        "--organisation",
        org.slug,
        "--dry-run",
    )
    assert "All 3 rows are valid" in out
    assert not OutreachVisit.objects.filter(programme=prog).exists()


def test_it_writes_the_errors_to_a_csv_file_when_asked(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(tmp_path / "persons.csv", ["external_id", "sex"], [["P-1", "?"], ["P-2", "!"]])
    with pytest.raises(CommandError, match="2 errors; nothing was written"):
        command(
            "import",
            str(path),
            "--programme",
            prog.slug,
            "--organisation",
            org.slug,
            "--errors",
            str(tmp_path / "e.csv"),
        )
    with open(tmp_path / "e.csv", encoding="utf-8-sig") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["file", "row", "column", "value", "reason"]
    assert [r[:4] for r in rows[1:]] == [["persons.csv", "2", "sex", "?"], ["persons.csv", "3", "sex", "!"]]
    assert not Person.objects.filter(organisation=org).exists()


def test_the_progress_bar_shows_on_request_and_reaches_the_end(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    err = StringIO()
    call_command(
        "import",
        str(visits_file(tmp_path, 50)),
        "--programme",
        prog.slug,
        "--organisation",
        org.slug,
        "--user",
        importer_of(org).username,
        "--progress",
        stdout=StringIO(),
        stderr=err,
    )
    assert "\r[" in err.getvalue()
    assert "100%" in err.getvalue()
    assert err.getvalue().endswith("\n")


def test_the_progress_callback_goes_from_checking_to_writing_and_ends_at_one(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    events: list[Progress] = []
    sources = [file_source(visits_file(tmp_path, 5000), None)]
    Importer(programme=prog, organisation=org, progress=events.append, batch_size=500).run(sources)
    phases = [e.phase for e in events]
    assert phases.index("write") > phases.index("validate")
    assert phases[phases.index("write") :] == ["write"] * phases[phases.index("write") :].count("write")
    fractions = [e.fraction for e in events]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert max(e.fraction for e in events if e.phase == "validate") <= 0.5


def test_the_terminal_bar_redraws_one_line() -> None:
    stream = StringIO()
    bar = ProgressBar(stream, width=10)
    bar(Progress("validate", "visits.csv", 10, 0.25))
    bar(Progress("write", "visits.csv", 20, 1.0))
    bar.finish()
    assert stream.getvalue().count("\r") == 2
    assert "[##########] 100%" in stream.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--programme", "nowhere", "--organisation", "x"], "There is no programme"),
        (["--programme", "{prog}", "--organisation", "nobody"], "There is no organisation"),
        (["--programme", "{prog}", "--organisation", "{stranger}"], "does not take part"),
        (["--programme", "{prog}", "--organisation", "{org}", "--type", "people"], "Unknown record type"),
        (
            ["--programme", "{prog}", "--organisation", "{org}", "--date-format", "YYYY/DD"],
            "not a date format",
        ),
        (["--programme", "{prog}", "--organisation", "{org}", "--user", "ghost"], "There is no user"),
        (["--programme", "{prog}", "--organisation", "{org}", "--lang", "de"], "Unknown language"),
    ],
)
def test_bad_input_gets_a_one_line_error(tmp_path: Path, args: list[str], message: str) -> None:
    org, stranger = f.organisation(), f.organisation()
    prog = f.programme(org)
    names = {"prog": prog.slug, "org": org.slug, "stranger": stranger.slug}
    with pytest.raises(CommandError, match=message):
        command("import", str(visits_file(tmp_path)), *[a.format(**names) for a in args])


def test_a_file_whose_template_cannot_be_told_asks_for_type(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(tmp_path / "data.csv", ["something", "else"], [["1", "2"]])
    with pytest.raises(CommandError, match=r"Cannot tell which template data\.csv follows"):
        command("import", str(path), "--programme", prog.slug, "--organisation", org.slug)


def test_a_missing_file_gets_a_one_line_error(demo: Programme, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        command(
            "import", str(tmp_path / "nope.csv"), "--programme", "next-steps", "--organisation", "betania"
        )
