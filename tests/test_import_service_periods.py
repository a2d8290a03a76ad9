"""Services and outcomes are dated while their case is open (DatedInCase.clean): an import checks it for every
row before anything is written, for cases of the same import as for stored ones, and names the row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nextsteps.imports.importer import ImportFailed
from nextsteps.records.models import Case, Person, ServiceDelivery
from tests import factories as f
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db


def case_files(folder: Path, *, closed: str = "") -> list[Path]:
    persons = write_csv(folder / "persons.csv", ["external_id", "sex"], [["P-1", "female"], ["P-2", "male"]])
    cases = write_csv(
        folder / "cases.csv",
        ["external_id", "person", "opened", "closed", "closure_reason", "consent_not_asked_reason"],
        [
            [
                "C-1",
                "P-1",
                "2021-03-01",
                closed,
                "goals_reached" if closed else "",
                "Asked at the next meeting.",
            ],
            ["C-2", "P-2", "2021-01-04", "", "", "Asked at the next meeting."],
        ],
    )
    return [persons, cases]


def messages(failed: pytest.ExceptionInfo[ImportFailed]) -> list[tuple[str, int | None, str | None, str]]:
    return [(e.file, e.row, e.column, e.message()) for e in failed.value.result.errors]


def test_a_service_dated_before_its_case_of_the_same_import_opened_is_refused_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    org = f.organisation()
    prog = f.programme(org)
    services = write_csv(
        tmp_path / "services.csv",
        ["external_id", "case", "service_type", "date"],
        [["S-1", "C-2", "legal_support", "2021-02-01"], ["S-2", "C-1", "legal_support", "2021-02-01"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, *case_files(tmp_path), services)
    assert messages(failed) == [
        ("services.csv", 3, "date", "The case opened on 1 Mar 2021: this date is before it.")
    ]
    assert failed.value.result.written_rows == 0
    assert not Person.objects.filter(organisation=org).exists()


def test_an_outcome_dated_after_its_case_of_the_same_import_closed_is_refused(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    outcomes = write_csv(
        tmp_path / "outcomes.csv",
        ["external_id", "case", "outcome_type", "date"],
        [["O-1", "C-1", "employed", "2021-05-01"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, *case_files(tmp_path, closed="2021-04-01"), outcomes)
    assert messages(failed) == [
        ("outcomes.csv", 2, "date", "The case closed on 1 Apr 2021: this date is after it.")
    ]
    assert not Case.objects.filter(organisation=org).exists()


def test_a_service_dated_before_its_stored_case_opened_is_refused_with_its_row(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    person = f.person(org)
    f.open_case(
        programme=prog, organisation=org, person=person, opened=dt.date(2021, 3, 1), external_id="C-9"
    )
    services = write_csv(
        tmp_path / "services.csv",
        ["external_id", "case", "service_type", "date"],
        [["S-1", "C-9", "legal_support", "2021-03-01"], ["S-2", "C-9", "legal_support", "2021-02-28"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, services)
    assert messages(failed) == [
        ("services.csv", 3, "date", "The case opened on 1 Mar 2021: this date is before it.")
    ]
    assert not ServiceDelivery.objects.filter(case__organisation=org).exists()


def test_services_dated_while_their_case_is_open_are_written(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    services = write_csv(
        tmp_path / "services.csv",
        ["external_id", "case", "service_type", "date"],
        [["S-1", "C-1", "legal_support", "2021-03-01"], ["S-2", "C-2", "legal_support", "2021-02-01"]],
    )
    result = run(prog, org, *case_files(tmp_path), services)
    assert result.counts["services"].created == 2
