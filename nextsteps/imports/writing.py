"""How the write pass of an import uses the database: how long one transaction may hold SQLite's write lock,
how long it then leaves the lock free, and the connection's settings while it writes.

Writing a large file costs SQLite mostly in pages: each commit writes every page the transaction changed to
the write-ahead log, and a visit's dozen index entries land on pages all over their indexes (the report and
list indexes are ordered by date, which a file need not be). More rows per transaction write each such page
once for all the rows that changed it, and a page cache that holds the transaction's pages spares reading
and spilling them again. Both are bounded: a transaction stops taking rows once it has held the lock for
MAX_HOLD seconds, so other saves still get through (docs/import.md).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from django.db import connection

# Rows a batch of the first pass holds: the references, keys and codes of each are checked with one query,
# and the write pass writes one or more of them per transaction.
SPOOL_ROWS = 2000
# A transaction of the write pass takes batches until it holds this many seconds (or `batch_size` rows).
MAX_HOLD = 0.5
# SQLite: after each transaction the import leaves the write lock free for this share of the time it held
# it (at most 0.1 s), see let_others_write.
PAUSE_SHARE = 0.1
# SQLite settings of the importing connection while it writes, restored after. A page cache of 128 MiB
# (negative: in KiB) holds the pages a transaction of 10,000 visits changes at a million records; it is the
# database's memory, not Python's, and it is given back when the write ends. synchronous = NORMAL: in
# write-ahead-log mode a commit then waits for no flush to the disk; the database stays consistent, and a
# power cut may take back the last transactions written, which importing the same files again completes.
# A checkpoint every 10,000 pages (40 MB) instead of 1,000 copies a page the batches keep changing (the
# end of each index) back into the database once per checkpoint instead of ten times.
WRITE_PRAGMAS = {"cache_size": -131072, "synchronous": 1, "wal_autocheckpoint": 10000}


@contextlib.contextmanager
def write_settings() -> Iterator[None]:
    """The importing connection's SQLite settings for the write pass; nothing on other databases."""
    if connection.vendor != "sqlite":
        yield
        return
    pragmas = dict(WRITE_PRAGMAS)
    if connection.in_atomic_block:
        # The caller's transaction holds the writes (a test, a script): SQLite refuses to change the flushing
        # inside one, and the commit is the caller's.
        del pragmas["synchronous"]
    with connection.cursor() as cursor:
        before = {}
        for name, value in pragmas.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        # The connection may have been closed (a failed write); a new one starts with the defaults.
        if connection.connection is not None:
            with connection.cursor() as cursor:
                for name, value in before.items():
                    cursor.execute(f"PRAGMA {name} = {int(value)}")


def let_others_write(held: float) -> None:
    """SQLite: after a transaction, leave the write lock free for a moment before the next one asks for it.

    SQLite does not queue waiters: a connection waiting for the lock sleeps and tries again, every 100 ms
    once it has waited a while, and the next transaction, asking at once, would win the lock again and again
    (saves waited up to 12 s behind two imports). A pause of a tenth of the time the transaction held the
    lock lets a waiter in within a few transactions, for a tenth of the import's speed."""
    if connection.vendor == "sqlite" and PAUSE_SHARE:
        time.sleep(min(held * PAUSE_SHARE, 0.1))


def hold_over(began: float) -> bool:
    """Whether a transaction that began at `began` (time.monotonic()) has held the lock long enough."""
    return time.monotonic() - began >= MAX_HOLD


# SQLite gathers its planner's statistics again when a table holds this many times the rows they say, or
# has none. SQLite's own `PRAGMA optimize` waits for 25 times and only looks at tables this connection has
# read: too late and too narrow after a first import takes a table from nothing to millions of rows.
OUTGROWN = 2
# Tables smaller than this are read faster than any choice of index saves: they need no statistics.
SMALL_TABLE = 1000


def keep_statistics(*, force: bool = False) -> bool:
    """SQLite: gather the statistics SQLite chooses its indexes by (`ANALYZE`) for each table that has outgrown
    its own or has none, or for all with `force` (about 4 s at a million persons). Returns whether it did.

    Only ANALYZE gathers them, and without them SQLite guesses: at a million persons it listed one
    organisation's persons by reading all 166,000 of them (0.6 s instead of 13 ms). Whether a table has
    outgrown its statistics costs a look at its first and last key. PostgreSQL's autovacuum keeps its own."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [row[0] for row in cursor.fetchall()]
        known: dict[str, int] = {}
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            # Each row's first number is the table's size when the statistics were gathered.
            cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
            for table, stat in cursor.fetchall():
                known[table] = max(known.get(table, 0), int(stat.split()[0]))
        if force:
            cursor.execute("ANALYZE")
            return True
        outgrown = []
        for table in tables:
            # The span of the keys stands for the size: two index probes instead of a count, exact for tables
            # added to and for those rebuilt whole (the counted rows), more only after scattered deletes.
            # (Each in a query of its own: SQLite reads min() and max() from an index only when alone.)
            cursor.execute(
                f'SELECT (SELECT max(rowid) FROM "{table}") - (SELECT min(rowid) FROM "{table}") + 1'
            )
            size = cursor.fetchone()[0] or 0
            if size >= SMALL_TABLE and size > OUTGROWN * known.get(table, 0):
                outgrown.append(table)
        # Only the tables that outgrew theirs: after an import into a big database, seconds less.
        for table in outgrown:
            cursor.execute(f'ANALYZE "{table}"')
    return bool(outgrown)
