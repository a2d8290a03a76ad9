"""Validation is complete before anything is written: every error at once, with row and column, nothing stored."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.audit.models import AuditEntry
from nextsteps.imports.importer import ImportFailed
from nextsteps.records.models import Case, OutreachVisit, Person
from tests import factories as f
from tests.importing import command, importer_of, run, write_csv

pytestmark = pytest.mark.django_db


def test_it_reports_every_error_of_every_file_and_writes_nothing(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    persons = write_csv(
        tmp_path / "persons.csv",
        ["external_id", "sex", "birth_date", "nationality"],
        [
            ["P-1", "female", "1990-01-01", "RO"],  # valid, yet not written: another row is wrong
            ["P-2", "feminine", "1991-02-30", "ROU"],
            ["P-1", "male", "", ""],
        ],
    )
    visits = write_csv(
        tmp_path / "outreach_visits.csv",
        ["external_id", "date", "locality", "site_type"],
        [["V-1", "2021-08-03", "", "palace"]],
    )
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, persons, visits)
    found = {(e.file, e.row, e.column, e.value) for e in failed.value.result.errors}
    assert found == {
        ("persons.csv", 3, "sex", "feminine"),
        ("persons.csv", 3, "birth_date", "1991-02-30"),
        ("persons.csv", 3, "nationality", "ROU"),
        ("persons.csv", 4, "external_id", "P-1"),
        ("outreach_visits.csv", 2, "locality", ""),
        ("outreach_visits.csv", 2, "site_type", "palace"),
    }
    assert failed.value.result.error_count == 6
    assert not Person.objects.filter(organisation=org).exists()
    assert not OutreachVisit.objects.filter(programme=prog).exists()
    assert AuditEntry.objects.count() == audit_before


def test_the_command_lists_the_errors_in_the_users_language(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(tmp_path / "cases.csv", ["external_id", "person", "opened"], [["C-1", "P-1", ""]])
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
            "--lang",
            "nl",
            stderr=err,
        )
    with translation.override("nl"):
        reason = gettext("required, but empty")
        where = gettext("%(file)s, row %(row)s, column “%(column)s”") % {
            "file": "cases.csv",
            "row": 2,
            "column": "opened",
        }
    assert reason != "required, but empty"
    assert f"{where}: {reason}" in err.getvalue()
    assert not Case.objects.filter(programme=prog).exists()


def test_without_lang_it_speaks_the_language_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LC_ALL", "")
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    with pytest.raises(CommandError, match=r"Er is geen programma ‘nowhere’\."):
        command("import", "x.csv", "--programme", "nowhere", "--organisation", "none")


def test_each_error_names_the_file_row_column_value_and_reason(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(tmp_path / "persons.csv", ["external_id", "sex"], [["P-1", "feminine"]])
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path)
    with translation.override("en"):
        line = failed.value.result.errors[0].line()
    assert line.startswith(
        "persons.csv, row 2, column “sex”, value “feminine”: not one of the allowed values"
    )


def test_unknown_and_missing_columns_are_reported_once_not_on_every_row(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(
        tmp_path / "visits.csv",
        ["external_id", "date", "site", "locality"],
        [["V-1", "2021-08-03", "street", "Iași"], ["V-2", "2021-08-04", "street", "Iași"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path, type="outreach_visits")
    found = {(e.row, e.column) for e in failed.value.result.errors}
    # The unknown column by its letter (a header cell may hold anything), the missing one by its name.
    assert found == {(1, "C"), (1, "site_type")}


def test_it_counts_every_error_but_lists_at_most_max_errors(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(tmp_path / "persons.csv", ["external_id", "sex"], [[f"P-{i}", "?"] for i in range(30)])
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path, max_errors=5)
    assert failed.value.result.error_count == 30
    assert len(failed.value.result.errors) == 5


def test_model_rules_are_checked_before_writing(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    activities = write_csv(
        tmp_path / "activities.csv",
        ["external_id", "activity_type", "title", "date", "locality", "attendance_total", "attendance_girls"],
        [["A-1", "training", "Training", "2021-08-03", "Iași", "5", "6"]],
    )
    cases = write_csv(
        tmp_path / "cases.csv",
        ["external_id", "person", "opened", "closed", "closure_reason"],
        [["C-1", "P-1", "2021-08-03", "2021-08-01", "other"]],
    )
    persons = write_csv(
        tmp_path / "persons.csv", ["external_id", "birth_date", "birth_year"], [["P-1", "1990-05-05", "1991"]]
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, activities, cases, persons)
    found = {(e.file, e.column) for e in failed.value.result.errors}
    assert found == {
        ("activities.csv", "attendance_total"),
        ("cases.csv", "closed"),
        ("persons.csv", "birth_year"),
    }


def test_a_service_in_the_future_is_refused(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    f.person(org, external_id="P-1")
    path = write_csv(
        tmp_path / "services.csv",
        ["external_id", "person", "service_type", "date"],
        [["S-1", "P-1", "legal_support", "2999-01-01"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, path)
    assert [(e.column, e.value) for e in failed.value.result.errors] == [("date", "2999-01-01")]
