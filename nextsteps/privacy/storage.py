"""After an erasure: leave no bytes of what was erased where the database's files still hold them.

SQLite runs with `secure_delete` (settings.py), so the cells and pages an erasure frees are overwritten with
zeros. Two places still hold old bytes afterwards. The write-ahead log keeps the pages as they were before
until a checkpoint copies them into the database file; a TRUNCATE checkpoint then empties the log file.
And rows deleted or changed before secure_delete was on (a database created by an older version) left their
bytes in free pages and in free space inside pages in use; `PRAGMA freelist_count` sees only the first, so
the file is rebuilt with VACUUM after every erasure, and once at the end of a retention run that erased
someone. Erasures are rare; a rebuild takes about as long as copying the file, and other writers wait for it
(up to NEXTSTEPS_SQLITE_TIMEOUT seconds), which is why a retention run with no one due does not rebuild,
unless an earlier clearing could not be done (the database was busy): a marker file beside the database
remembers that until the next run.

PostgreSQL keeps changed rows as dead tuples until VACUUM: the tables erasure writes are vacuumed after its
transaction. What PostgreSQL still keeps (its write-ahead log and archives, backups) is for the operator:
see docs/security.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

logger = logging.getLogger(__name__)


def clear_freed_bytes(tables: Iterable[str] = ()) -> bool:
    """Checkpoint and VACUUM (SQLite) or VACUUM `tables` (PostgreSQL); False when the database was too busy
    to do it now (it is logged; the erasure itself stands). Inside a transaction it waits for the commit."""
    connection = connections[DEFAULT_DB_ALIAS]
    names = sorted(set(tables))
    if connection.in_atomic_block:
        transaction.on_commit(lambda: clear_freed_bytes(names))
        return True
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                done = _sqlite(cursor)
                _remember_pending(not done)
                return done
            if connection.vendor == "postgresql":
                quote = connection.ops.quote_name
                for table in names:
                    cursor.execute(f"VACUUM {quote(table)}")
    except DatabaseError as error:
        logger.warning("The database could not be cleared of freed bytes after an erasure: %s", error)
        _remember_pending(True)
        return False
    return True


def pending() -> bool:
    """Whether an earlier clearing of freed bytes could not be done (SQLite) and is still owed."""
    marker = _marker()
    return marker is not None and marker.exists()


def _marker() -> Path | None:
    connection = connections[DEFAULT_DB_ALIAS]
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(f"{name}.clearing-pending")


def _remember_pending(owed: bool) -> None:
    marker = _marker()
    if marker is None:
        return
    try:
        if owed:
            marker.touch()
        else:
            marker.unlink(missing_ok=True)
    except OSError as error:
        logger.warning("Could not note whether freed bytes are still to be cleared: %s", error)


def _sqlite(cursor: Any) -> bool:
    done = _checkpoint(cursor)
    cursor.execute("VACUUM")
    # VACUUM wrote the whole database through the log once more.
    return _checkpoint(cursor) and done


def _checkpoint(cursor: Any) -> bool:
    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    busy, _log, _copied = cursor.fetchone()
    if busy:
        logger.warning("The write-ahead log could not be emptied after an erasure: a reader kept it busy.")
    return not busy
