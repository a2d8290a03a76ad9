"""The write pass's transactions: several batches of cheap rows in one, never more than the batch size or
than writing.MAX_HOLD seconds; SQLite's settings for the write apply only while it writes; every record
still gets its own audit entry, and an import with an error still writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from nextsteps.audit.models import AuditEntry
from nextsteps.imports import importer as importing
from nextsteps.imports import writing
from nextsteps.imports.importer import ImportFailed
from nextsteps.records.models import OutreachVisit
from tests import factories as f
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db


def visits(folder: Path, count: int, bad_row: int | None = None) -> Path:
    return write_csv(
        folder / "outreach_visits.csv",
        ["external_id", "date", "locality", "site_type"],
        [[f"V-{i}", "2021-08-03" if i != bad_row else "2021-02-30", "Iași", "street"] for i in range(count)],
    )


def transactions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rows written by each transaction of the write pass, in order."""
    sizes: list[int] = []
    real = importing.WRITERS["outreach_visits"]

    def writer(importer: Any, batch: list[dict[str, Any]], *args: Any) -> Any:
        # A writer called while no transaction of this pass is open yet starts a new one.
        if not sizes or sizes[-1] < 0:
            sizes.append(0)
        sizes[-1] += len(batch)
        return real(importer, batch, *args)

    def committed(held: float) -> None:
        sizes[-1] = -sizes[-1]

    monkeypatch.setitem(importing.WRITERS, "outreach_visits", writer)
    monkeypatch.setattr(writing, "let_others_write", committed)
    return sizes


def test_a_transaction_writes_several_batches_up_to_the_batch_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = f.organisation()
    prog = f.programme(org)
    monkeypatch.setattr(writing, "SPOOL_ROWS", 2)
    sizes = transactions(monkeypatch)
    result = run(prog, org, visits(tmp_path, 10), batch_size=6)
    assert [-size for size in sizes] == [6, 4]
    assert result.written_rows == 10
    assert OutreachVisit.objects.filter(organisation=org).count() == 10


def test_a_transaction_that_has_held_the_database_long_enough_takes_no_more_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = f.organisation()
    prog = f.programme(org)
    monkeypatch.setattr(writing, "SPOOL_ROWS", 2)
    monkeypatch.setattr(writing, "MAX_HOLD", 0.0)
    sizes = transactions(monkeypatch)
    run(prog, org, visits(tmp_path, 10), batch_size=6)
    assert [-size for size in sizes] == [2, 2, 2, 2, 2]


def test_every_record_written_in_a_shared_transaction_has_its_own_audit_entry(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    run(prog, org, visits(tmp_path, 25), batch_size=20)
    pks = {str(pk) for pk in OutreachVisit.objects.filter(organisation=org).values_list("pk", flat=True)}
    entries = AuditEntry.objects.filter(model="records.OutreachVisit", action=AuditEntry.Action.CREATE)
    assert len(pks) == 25
    assert sorted(entries.filter(object_pk__in=pks).values_list("object_pk", flat=True)) == sorted(pks)


def test_an_error_on_the_last_row_writes_nothing_whatever_the_batch_size(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    with pytest.raises(ImportFailed) as failed:
        run(prog, org, visits(tmp_path, 30, bad_row=29), batch_size=4)
    assert failed.value.result.written_rows == 0
    assert not OutreachVisit.objects.filter(organisation=org).exists()


def pragmas() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for name in writing.WRITE_PRAGMAS:
            cursor.execute(f"PRAGMA {name}")
            found[name] = cursor.fetchone()[0]
    return found


@pytest.mark.django_db(transaction=True)
def test_sqlite_writes_with_its_import_settings_and_gets_its_own_back_afterwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The page cache and flushing settings are SQLite's")
    org = f.organisation()
    prog = f.programme(org)
    before = pragmas()
    assert before != writing.WRITE_PRAGMAS
    seen: list[dict[str, int]] = []
    real = importing.WRITERS["outreach_visits"]

    def writer(*args: Any) -> Any:
        seen.append(pragmas())
        return real(*args)

    monkeypatch.setitem(importing.WRITERS, "outreach_visits", writer)
    run(prog, org, visits(tmp_path, 3))
    assert seen == [writing.WRITE_PRAGMAS]
    assert pragmas() == before


@pytest.mark.django_db(transaction=True)
def test_the_settings_are_given_back_when_the_write_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The page cache and flushing settings are SQLite's")
    org = f.organisation()
    prog = f.programme(org)
    before = pragmas()

    def writer(*args: Any) -> Any:
        raise importing.ValidationError("stopped")

    monkeypatch.setitem(importing.WRITERS, "outreach_visits", writer)
    with pytest.raises(ImportFailed):
        run(prog, org, visits(tmp_path, 3))
    assert pragmas() == before
