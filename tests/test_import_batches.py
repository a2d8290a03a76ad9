"""The write pass of an import: one short transaction per batch, so that other saves get the database between
batches; a write that stops part-way keeps whole batches, says how many rows it wrote, and importing the same
files again completes it without duplicates."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User
from nextsteps.imports import importer as importing
from nextsteps.imports import jobs, writing
from nextsteps.imports.importer import ImportFailed, Progress
from nextsteps.imports.models import ImportJob
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records.models import Case, Person
from tests import factories as f
from tests.importing import command, run, translated, write_csv

pytestmark = pytest.mark.django_db


def files(folder: Path, count: int = 5) -> list[Path]:
    persons = write_csv(
        folder / "persons.csv",
        ["external_id", "sex", "given_name"],
        [[f"P-{i}", "female", f"Name {i}"] for i in range(count)],
    )
    cases = write_csv(
        folder / "cases.csv",
        # New persons have no consent recorded: a new case gives the reason (the case's consent rule).
        ["external_id", "person", "opened", "consent_not_asked_reason"],
        [[f"C-{i}", f"P-{i}", "2021-08-03", "Asked at the next meeting."] for i in range(count)],
    )
    return [persons, cases]


def stop_at(monkeypatch: pytest.MonkeyPatch, type_key: str, call: int, error: Exception) -> None:
    """The writer of a record type raises on its n-th batch, after writing it (inside its transaction)."""
    real = importing.WRITERS[type_key]
    calls = iter(range(1, 10**6))

    def writer(*args: Any) -> Any:
        done = real(*args)
        if next(calls) == call:
            raise error
        return done

    monkeypatch.setitem(importing.WRITERS, type_key, writer)


def test_no_transaction_is_open_while_rows_are_checked_or_between_batches(tmp_path: Path) -> None:
    # With SQLite's IMMEDIATE transactions an open transaction holds the write lock, even while it only reads.
    org = f.organisation()
    prog = f.programme(org)
    outside = len(connection.atomic_blocks)
    depths: list[tuple[str, int]] = []
    run(
        prog,
        org,
        *files(tmp_path),
        batch_size=2,
        progress=lambda p: depths.append((p.phase, len(connection.atomic_blocks))),
    )
    assert {phase for phase, _depth in depths} == {"validate", "write"}
    assert {depth for _phase, depth in depths} == {outside}


def test_a_write_that_stops_part_way_keeps_whole_batches_and_importing_again_completes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = f.organisation()
    prog = f.programme(org)
    paths = files(tmp_path)
    stop_at(monkeypatch, "cases", 2, OperationalError("database is locked"))
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, *paths, batch_size=2)
    # Five persons and the first batch of two cases; the second batch of cases was taken back whole.
    assert failed.value.result.written_rows == 7
    assert [e.message() for e in failed.value.result.errors] == [
        "The import stopped after writing 7 of 10 rows: the database stayed busy for too long. Import the "
        "same files again to complete it; the rows already written are not added twice."
    ]
    assert Person.objects.filter(organisation=org).count() == 5
    assert sorted(Case.objects.filter(programme=prog).values_list("external_id", flat=True)) == ["C-0", "C-1"]
    monkeypatch.undo()
    again = run(prog, org, *paths, batch_size=2)
    assert {k: (c.created, c.changed, c.unchanged) for k, c in again.counts.items()} == {
        "persons": (0, 0, 5),
        "cases": (3, 0, 2),
    }
    assert Person.objects.filter(organisation=org).count() == 5
    assert Case.objects.filter(programme=prog).count() == 5
    assert all(
        case.person.external_id == f"P-{case.external_id[2:]}" for case in Case.objects.filter(programme=prog)
    )


def test_a_write_that_stops_at_its_first_batch_says_nothing_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = f.organisation()
    prog = f.programme(org)
    stop_at(monkeypatch, "persons", 1, OperationalError("database is locked"))
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, *files(tmp_path), batch_size=10)
    assert [e.message() for e in failed.value.result.errors] == [
        "Nothing was written: the database stayed busy for too long."
    ]
    assert not Person.objects.filter(organisation=org).exists()


def test_the_command_says_how_many_rows_it_wrote_before_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: Programme
) -> None:
    org = Organisation.objects.get(slug="salvation-army-ro")
    persons = write_csv(
        tmp_path / "persons.csv",
        ["external_id", "sex"],
        [[f"BATCH-{i}", "female"] for i in range(5)],
    )
    stop_at(monkeypatch, "persons", 2, OperationalError("database is locked"))
    with pytest.raises(CommandError) as failed:
        command(
            "import",
            "--programme",
            demo.slug,
            "--organisation",
            org.slug,
            "--batch-size",
            "2",
            "--lang",
            "ro",
            str(persons),
        )
    assert str(failed.value) == translated(
        "ro",
        "The import stopped after writing %(written)s of %(rows)s rows; import the same files again to complete it.",
        written="2",
        rows="5",
    )
    assert Person.objects.filter(organisation=org, external_id__startswith="BATCH-").count() == 2


def test_a_job_that_stops_part_way_shows_what_it_wrote(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    login: Callable[[str], Client],
    demo: Programme,
) -> None:
    settings.IMPORTS_IN_BACKGROUND = False
    settings.DATA_DIR = tmp_path
    org = Organisation.objects.get(slug="salvation-army-ro")
    job = ImportJob.objects.create(
        user=User.objects.get(username="caseworker.sa"),
        programme=demo,
        organisation=org,
        language="nl",
        files=["persons.csv"],
    )
    jobs.folder(job).mkdir(parents=True)
    write_csv(
        jobs.folder(job) / jobs.stored_names(job)[0],
        ["external_id", "sex"],
        [[f"JOB-{i}", "female"] for i in range(3000)],
    )
    stop_at(monkeypatch, "persons", 2, OperationalError("database is locked"))
    # One batch of the first pass (2,000 rows) per transaction, as when rows are slow to write: the second
    # is taken back, the first stays.
    monkeypatch.setattr(writing, "MAX_HOLD", 0.0)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert json.loads(job.summary) == [
        translated(
            "nl",
            "%(type)s: %(created)s added, %(changed)s changed, %(unchanged)s unchanged.",
            type="personen",
            created="2,000",
            changed="0",
            unchanged="0",
        )
    ]
    page = login("caseworker.sa").get(reverse("imports:job", args=[job.pk])).content.decode()
    stopped = (
        "The import stopped before it ended. What it wrote stays; import the same files again to complete it."
    )
    assert translated("ro", stopped) in page
    assert translated("ro", "The import found %(errors)s error; nothing was written.", errors="1") not in page


def test_a_job_interrupted_while_writing_says_how_many_rows_it_had_written(
    tmp_path: Path, settings: Any, demo: Programme
) -> None:
    settings.DATA_DIR = tmp_path
    job = ImportJob.objects.create(
        user=User.objects.get(username="caseworker.sa"),
        programme=demo,
        organisation=Organisation.objects.get(slug="salvation-army-ro"),
        language="ro",
        files=["persons.csv"],
        status=ImportJob.Status.RUNNING,
    )
    jobs.folder(job).mkdir(parents=True)
    progress = jobs.ProgressFile(job)
    progress(Progress("validate", "persons.csv", 6000, 0.5))
    progress(Progress("write", "persons.csv", 4000, 0.83))
    assert jobs.progress_of(job)["written"] == 4000
    # No sign of life for longer than a job can be silent: the server stopped under it.
    old = time.time() - jobs.STALE_AFTER - 1
    for path in [jobs.folder(job), *jobs.folder(job).iterdir()]:
        os.utime(path, (old, old))
    job = jobs.end_if_interrupted(job)
    assert job.status == ImportJob.Status.FAILED
    message = translated(
        "ro",
        "The import was interrupted before it ended (the server stopped) after writing %(written)s rows. Import "
        "the same files again to complete it; the rows already written are not added twice.",
        written="4,000",
    )
    assert json.loads(job.errors)[0][4] == message
