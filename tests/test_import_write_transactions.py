"""The write pass's transactions: several batches of cheap rows in one, never more than the batch size or
than writing.MAX_HOLD seconds; SQLite's settings for the write apply only while it writes; every record
still gets its own audit entry, and an import with an error still writes nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connection

from nextsteps.audit.models import AuditEntry
from nextsteps.imports import importer as importing
from nextsteps.imports import writing
from nextsteps.imports.importer import ImportFailed
from nextsteps.records import actions
from nextsteps.records.models import OutreachVisit
from tests import factories as f
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db
T = TypeVar("T")


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


def test_a_batch_writes_in_its_transaction_without_a_savepoint_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within a savepoint SQLite first copies every page a write changes into a statement journal (a large
    part of a big import's time); the batch's transaction is what a failure takes back."""
    org = f.organisation()
    prog = f.programme(org)
    depths: list[tuple[int, int]] = []

    def savepoints() -> int:
        # An atomic block that makes no savepoint is kept as None.
        return sum(1 for sid in connection.savepoint_ids if sid is not None)

    real_writer = importing.WRITERS["outreach_visits"]
    real_entries = actions.insert_audit_entries

    def writer(*args: Any) -> Any:
        depths.append((savepoints(), -1))
        return real_writer(*args)

    def entries(*args: Any) -> None:
        depths[-1] = (depths[-1][0], savepoints())
        real_entries(*args)

    monkeypatch.setitem(importing.WRITERS, "outreach_visits", writer)
    monkeypatch.setattr(actions, "insert_audit_entries", entries)
    monkeypatch.setattr(writing, "SPOOL_ROWS", 2)
    run(prog, org, visits(tmp_path, 5), batch_size=4)
    assert len(depths) == 3
    assert [writes - batch for batch, writes in depths] == [0, 0, 0], depths


def pragmas() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for name in writing.WRITE_PRAGMAS:
            cursor.execute(f"PRAGMA {name}")
            found[name] = cursor.fetchone()[0]
    return found


def on_a_connection_of_its_own(work: Callable[[], T]) -> T:
    """work() on a connection outside the test's transaction, as the import command's connection is (a thread
    has a connection of its own). Not a transactional test: that empties the whole test database
    afterwards, and the demo the other tests of the same worker read with it."""
    done: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as error:  # raised again in the test's thread
            failed.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return done[0]


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
    # Inside the test's transaction SQLite keeps its flushing setting (the commit is the caller's).
    assert seen == [{**writing.WRITE_PRAGMAS, "synchronous": before["synchronous"]}]
    assert pragmas() == before


def test_outside_a_transaction_every_write_setting_applies_and_is_given_back() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The page cache and flushing settings are SQLite's")

    def write() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        before = pragmas()
        with writing.write_settings():
            during = pragmas()
        return before, during, pragmas()

    before, during, after = on_a_connection_of_its_own(write)
    assert before != writing.WRITE_PRAGMAS
    assert during == writing.WRITE_PRAGMAS
    assert after == before


def test_the_settings_are_given_back_when_the_write_stops() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The page cache and flushing settings are SQLite's")

    def stopped_write() -> tuple[dict[str, int], dict[str, int]]:
        before = pragmas()
        with pytest.raises(importing.ValidationError), writing.write_settings():
            raise importing.ValidationError("stopped")
        return before, pragmas()

    before, after = on_a_connection_of_its_own(stopped_write)
    assert after == before
