"""Before a page reads, the counted rows' refresh does not queue behind another writer (an import, a whole
rebuild, which hold the database for seconds): the page counts with the engine's queries instead."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from nextsteps.indicators import counted
from tests.test_import_write_transactions import on_a_connection_of_its_own

pytestmark = pytest.mark.django_db

# Far below the 20 s a write waits for SQLite's lock (NEXTSTEPS_SQLITE_TIMEOUT), far above the 50 ms waited.
QUICKLY = 5.0


def hold_the_refresh_lock() -> None:
    # SQLite: the test's transaction began IMMEDIATE and holds the write lock. PostgreSQL: the advisory lock a
    # whole refresh holds.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [counted.REFRESH_LOCK])


def release_the_refresh_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [counted.REFRESH_LOCK])


def test_a_pages_refresh_gives_up_at_once_when_another_writer_holds_the_lock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(counted, "dirty", lambda **kwargs: True)
    hold_the_refresh_lock()
    try:

        def refresh() -> float:
            began = time.monotonic()
            counted.refresh_quietly(whole=False)  # neither waits nor raises
            return time.monotonic() - began

        assert on_a_connection_of_its_own(refresh) < QUICKLY
    finally:
        release_the_refresh_lock()


def test_sqlite_gets_its_usual_lock_wait_back_afterwards() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("The wait for the write lock is SQLite's")

    def waits() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            before = cursor.fetchone()[0]
        counted.refresh_quietly(whole=False)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            return before, cursor.fetchone()[0]

    before, after = on_a_connection_of_its_own(waits)
    assert before == after > counted.NO_WAIT_MS
