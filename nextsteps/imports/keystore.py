"""What the first pass of an import must remember about rows it has read, kept in a temporary SQLite file.

References between rows need the keys (external ids) of the rows read so far; in a Python set a million keys
take about 90 MB. On disk, with SQLite's bounded page cache, memory stays the same whatever the size of the
files. The file is the import's own (Python's sqlite3, not the application's database) and is removed when
the import ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

_SCHEMA = """
CREATE TABLE keys (kind TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
CREATE TABLE cases (person TEXT NOT NULL, case_key TEXT NOT NULL, PRIMARY KEY (person, case_key)) WITHOUT ROWID;
CREATE TABLE new_cases (person TEXT PRIMARY KEY, opened TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE "values" (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key))
    WITHOUT ROWID;
"""


class KeyStore:
    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="nextsteps-import-", suffix=".sqlite3")
        os.close(handle)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        # A scratch file: nothing to recover after a crash, so no journal and no waiting for the disk.
        self.db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -8000;"
        )
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    # keys ---------------------------------------------------------------------------------------

    def contains(self, kind: str, keys: Iterable[str]) -> set[str]:
        """Which of these keys of this kind were added."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return set()
        cursor = self.db.execute(
            "SELECT key FROM keys WHERE kind = ? AND key IN (SELECT value FROM json_each(?))",
            (kind, json.dumps(wanted)),
        )
        return {key for (key,) in cursor}

    def _write(self, sql: str, rows: Iterable[tuple[str, ...]]) -> None:
        # One transaction per batch: in autocommit mode SQLite would write the file once per row.
        self.db.execute("BEGIN")
        self.db.executemany(sql, rows)
        self.db.execute("COMMIT")

    def add(self, kind: str, keys: Sequence[str]) -> set[str]:
        """Add keys; returns those that were there already."""
        present = self.contains(kind, keys)
        self._write("INSERT OR IGNORE INTO keys VALUES (?, ?)", ((kind, key) for key in keys))
        return present

    # a value per key (the locality of each household of the import) -----------------------------------

    def set_values(self, kind: str, pairs: Iterable[tuple[str, str]]) -> None:
        self._write('INSERT OR REPLACE INTO "values" VALUES (?, ?, ?)', ((kind, k, v) for k, v in pairs))

    def values(self, kind: str, keys: Iterable[str]) -> dict[str, str]:
        cursor = self.db.execute(
            'SELECT key, value FROM "values" WHERE kind = ? AND key IN (SELECT value FROM json_each(?))',
            (kind, json.dumps(list(dict.fromkeys(keys)))),
        )
        return dict(cursor)

    # cases of persons, and persons who need one ---------------------------------------------------

    def add_cases(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._write("INSERT OR IGNORE INTO cases VALUES (?, ?)", pairs)

    def cases(self, persons: Iterable[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        cursor = self.db.execute(
            "SELECT person, case_key FROM cases WHERE person IN (SELECT value FROM json_each(?))",
            (json.dumps(list(dict.fromkeys(persons))),),
        )
        for person, case in cursor:
            found[person].add(case)
        return found

    def need_cases(self, items: Iterable[tuple[str, dt.date]]) -> None:
        """Persons who need a case, each opened on the earliest date given (ISO dates sort as text)."""
        self._write(
            "INSERT INTO new_cases VALUES (?, ?) "
            "ON CONFLICT (person) DO UPDATE SET opened = min(opened, excluded.opened)",
            ((person, date.isoformat()) for person, date in items),
        )

    def new_cases(self, chunk: int) -> Iterator[list[tuple[str, dt.date]]]:
        cursor = self.db.execute("SELECT person, opened FROM new_cases ORDER BY person")
        while rows := cursor.fetchmany(chunk):
            yield [(person, dt.date.fromisoformat(opened)) for person, opened in rows]

    def clear_new_cases(self) -> None:
        self.db.execute("DELETE FROM new_cases")
