"""SQLite chooses indexes from statistics only ANALYZE gathers: imports, generation, the demo and the daily
`nextsteps counted-rows` gather them when tables have outgrown them (nextsteps/imports/writing.py)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from nextsteps.imports.writing import OUTGROWN, SMALL_TABLE, keep_statistics

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_statistics() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    # Whatever earlier tests left (the demo's records among them) counted as gathered: each test starts even.
    keep_statistics(force=True)


def known_size(table: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return int(row[0].split()[0]) if row else None


PROBE = "statistics_probe"


def add_keys(n: int, table: str = PROBE) -> None:
    """Rows in a table of the test's own (rolled back with it), so that no other table's size counts."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, k INTEGER)")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_k ON {table} (k)")
        cursor.execute(f"SELECT count(*) FROM {table}")
        start = cursor.fetchone()[0]
        cursor.executemany(f"INSERT INTO {table} (k) VALUES (%s)", [(start + i,) for i in range(n)])


def test_it_gathers_statistics_for_a_big_table_that_has_none() -> None:
    add_keys(SMALL_TABLE)
    assert keep_statistics()
    assert known_size(PROBE) == SMALL_TABLE


def test_it_leaves_them_until_a_table_outgrows_them() -> None:
    add_keys(SMALL_TABLE)
    assert keep_statistics()
    add_keys(SMALL_TABLE // 2)
    assert not keep_statistics()
    assert known_size(PROBE) == SMALL_TABLE
    add_keys((OUTGROWN - 1) * SMALL_TABLE)
    assert keep_statistics()
    assert known_size(PROBE) == OUTGROWN * SMALL_TABLE + SMALL_TABLE // 2


def test_only_the_tables_that_outgrew_theirs_are_gathered_again() -> None:
    add_keys(SMALL_TABLE)
    add_keys(SMALL_TABLE, "statistics_other")
    assert keep_statistics()
    add_keys(OUTGROWN * SMALL_TABLE)
    add_keys(10, "statistics_other")
    assert keep_statistics()
    assert known_size(PROBE) == (OUTGROWN + 1) * SMALL_TABLE
    assert known_size("statistics_other") == SMALL_TABLE


def test_small_tables_need_none() -> None:
    add_keys(SMALL_TABLE - 1)
    assert not keep_statistics()
    assert known_size(PROBE) is None
    assert keep_statistics(force=True)
    assert known_size(PROBE) == SMALL_TABLE - 1


def test_the_daily_command_gathers_them_and_says_so() -> None:
    add_keys(10)
    out = StringIO()
    call_command("counted-rows", stdout=out, lang="en")
    assert "statistics for choosing indexes are up to date" in out.getvalue()
    assert known_size(PROBE) == 10
