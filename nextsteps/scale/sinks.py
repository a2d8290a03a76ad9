"""Bulk writers for the generator: many rows per statement, straight into the tables, one transaction.

The ORM would build a model instance per row and the actions layer an audit entry per row; at ten million
rows both cost more than the insert itself. The generator therefore writes rows as tuples through the
driver: `executemany` on SQLite, `COPY … FROM STDIN` on PostgreSQL. Primary keys are assigned here, so that
child rows can name their parents without reading anything back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Sink:
    """Where generated rows go. Subclasses know one database's fastest way in."""

    vendor = ""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection

    def timestamp(self, day: str) -> str:
        raise NotImplementedError

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def begin(self, tables: Sequence[str]) -> None:
        """Inside the run's transaction: keep other writers out of the tables, so that keys stay ours."""

    def next_id(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(table)}")
            return int(cursor.fetchone()[0]) + 1

    def finish(self, tables: Sequence[str]) -> None:
        """Bring the tables' key generators past the keys written here."""

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """Drop the tables' secondary indexes (and, where possible, foreign keys) for a big load.

        Returns the statements that put them back. Building an index once from sorted rows is several
        times faster than updating it row by row, and it happens inside the same transaction.
        """
        return []

    def execute(self, statements: Sequence[str]) -> None:
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    @contextmanager
    def tuned(self) -> Iterator[None]:
        """Outside the run's transaction: connection settings for bulk writing, restored afterwards."""
        yield


class SqliteSink(Sink):
    vendor = "sqlite"

    def timestamp(self, day: str) -> str:
        # Django keeps aware datetimes in SQLite as UTC text without an offset.
        return f"{day} 08:00:00"

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({marks})"
        self.connection.connection.executemany(sql, rows)

    def next_id(self, table: str) -> int:
        # AUTOINCREMENT tables never reuse a key, not even that of a deleted last row.
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
        return max(super().next_id(table), int(row[0]) + 1 if row else 1)

    @contextmanager
    def tuned(self) -> Iterator[None]:
        """Settings for this connection only, restored afterwards: no fsync per page, a big page cache.

        The rollback journal stays on, so a failed run still leaves the database as it was; only a power
        cut during a run could damage it, which is acceptable for a generator of synthetic data.
        """
        # Neither setting can change inside a transaction (a caller's, e.g. a test's): keep them then.
        # Foreign keys go unchecked only outside one: the generator assigns every key itself, and the
        # tests, which run inside a transaction, check them.
        outside = not self.connection.in_atomic_block
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            synchronous = cursor.fetchone()[0]
            cursor.execute("PRAGMA foreign_keys")
            foreign_keys = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            if outside:
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, whatever the size generated
        try:
            yield
        finally:
            with self.connection.cursor() as cursor:
                if outside:
                    cursor.execute(f"PRAGMA synchronous = {int(synchronous)}")
                    cursor.execute(f"PRAGMA foreign_keys = {int(foreign_keys)}")
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join('%s' for _ in tables)}) ORDER BY name",
                list(tables),
            )
            indexes = cursor.fetchall()
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
        return [sql for _name, sql in indexes]


class PostgresSink(Sink):
    vendor = "postgresql"

    def timestamp(self, day: str) -> str:
        return f"{day} 08:00:00+00"

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def begin(self, tables: Sequence[str]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(quote(t) for t in tables)} IN SHARE ROW EXCLUSIVE MODE")
            # Commit without waiting for the disk: losing the run to a crash means running it again.
            cursor.execute("SET LOCAL synchronous_commit = off")

    def next_id(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT last_value FROM pg_sequences "
                "WHERE (quote_ident(schemaname) || '.' || quote_ident(sequencename))::regclass "
                "= pg_get_serial_sequence(%s, 'id')::regclass",
                [quote(table)],
            )
            row = cursor.fetchone()
        used = int(row[0] or 0) if row else 0
        return max(super().next_id(table), used + 1)

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        with self.connection.cursor() as cursor:
            # A caller's transaction may hold deferred foreign-key checks, which forbid altering the tables
            # they concern: run them now. Django's constraints are all deferred by default again afterwards.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype "
                "FROM pg_constraint c WHERE c.contype IN ('u', 'f') AND c.conrelid = ANY(%s::regclass[]) "
                "ORDER BY c.contype DESC, c.conname",
                [[quote(t) for t in tables]],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                "ORDER BY i.relname",
                [[quote(t) for t in tables]],
            )
            indexes = cursor.fetchall()
            for table, name, _definition, _kind in constraints:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
        # Unique constraints ('u') come back before the foreign keys ('f') that may lean on them.
        return [
            *(definition for _name, definition in indexes),
            *(
                f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"
                for table, name, definition, _kind in constraints
            ),
            "SET CONSTRAINTS ALL DEFERRED",
        ]

    def finish(self, tables: Sequence[str]) -> None:
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {quote(table)}))",
                    [quote(table)],
                )


def sink_for(connection: BaseDatabaseWrapper | None = None) -> Sink:
    connection = connection or default_connection
    if connection.vendor == "sqlite":
        return SqliteSink(connection)
    if connection.vendor == "postgresql":
        return PostgresSink(connection)
    raise NotImplementedError(connection.vendor)


class Table:
    """Rows of one table waiting to be written, with the keys they were given."""

    def __init__(self, sink: Sink, model: type[Model], fields: Sequence[str]) -> None:
        self.sink = sink
        self.model = model
        self.name = model._meta.db_table
        self.columns: list[str] = ["id"]
        for name in fields:
            column = getattr(model._meta.get_field(name), "column", None)
            assert column, f"{model._meta.label}.{name} is not a column"
            self.columns.append(column)
        self.rows: list[tuple[Any, ...]] = []
        self.next_id = 0
        self.written = 0

    def start(self) -> None:
        self.next_id = self.sink.next_id(self.name)

    def add(self, *values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        return pk

    def flush(self) -> None:
        if self.rows:
            self.sink.write(self.name, self.columns, self.rows)
            self.written += len(self.rows)
            self.rows = []
