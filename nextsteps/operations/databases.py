"""Copying the database out and back in, for SQLite (its online backup API) and PostgreSQL (pg_dump).

Each function streams: the dump goes to a callback chunk by chunk and the restore reads an iterator of
chunks, so neither holds the database in memory.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from nextsteps.operations.backupfile import CHUNK

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class DatabaseToolError(Exception):
    """pg_dump or pg_restore failed or is missing; `tool` names it and `detail` is its last message."""

    def __init__(self, tool: str, detail: str) -> None:
        super().__init__(f"{tool}: {detail}")
        self.tool = tool
        self.detail = detail


def applied_migrations(connection: BaseDatabaseWrapper) -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def known_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


# SQLite ---------------------------------------------------------------------------------------------------


def sqlite_path(connection: BaseDatabaseWrapper) -> Path:
    return Path(connection.settings_dict["NAME"])


def dump_sqlite(connection: BaseDatabaseWrapper, out: Callable[[bytes], None]) -> None:
    """A consistent copy through SQLite's online backup API, on a connection of its own: it reads one
    snapshot of what is committed while the server goes on writing (the write-ahead log lets readers and
    the writer proceed together). The copy is vacuumed, so that rows deleted before secure_delete was on
    (an erased person's) do not travel on in free pages."""
    path = sqlite_path(connection)
    if connection.is_in_memory_db() or not path.is_file():  # type: ignore[attr-defined]
        raise DatabaseToolError("sqlite", "no database file")
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        copy = Path(scratch) / "backup.sqlite3"
        source = sqlite3.connect(path, timeout=float(connection.settings_dict["OPTIONS"].get("timeout", 20)))
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
            target.execute("VACUUM")
            # One self-contained file, whatever the source's journal mode; restore sets the mode back.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
            source.close()
        with copy.open("rb") as handle:
            while data := handle.read(CHUNK):
                out(data)


def sqlite_is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    # Read-only, so that looking never creates or changes the file.
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as database:
        try:
            return database.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        except sqlite3.DatabaseError:
            return False  # some other file: not ours to overwrite


def restore_sqlite(path: Path, chunks: Iterable[bytes]) -> None:
    """Write the copy to a private temporary file, then into the database through the backup API, which
    takes SQLite's locks: a database file is never replaced under an open connection or a stale
    write-ahead log. A copy that fails half-way leaves the database as it was."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        copy = Path(scratch) / "restore.sqlite3"
        descriptor = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            for data in chunks:
                handle.write(data)
        # SQLite gives a new database file (and its -wal and -shm files) the mode of an existing one.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        source = sqlite3.connect(copy)
        target = sqlite3.connect(path, timeout=30)
        try:
            source.backup(target)
            # The mode migration audit/0003 sets: a lasting property of the file.
            target.execute("PRAGMA journal_mode = WAL")
        finally:
            target.close()
            source.close()


# PostgreSQL ------------------------------------------------------------------------------------------------


def postgres_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the configured database: the password travels in the environment, never on
    a command line that other users of the machine can list."""
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", settings_dict.get("HOST")),
        ("PGPORT", settings_dict.get("PORT")),
        ("PGUSER", settings_dict.get("USER")),
        ("PGPASSWORD", settings_dict.get("PASSWORD")),
        ("PGDATABASE", settings_dict.get("NAME")),
    ):
        if value:
            environment[variable] = str(value)
    options = settings_dict.get("OPTIONS", {})
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(option):
            environment[f"PG{option.upper()}"] = str(options[option])
    return environment


def _last_line(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = [ln.strip() for ln in stream.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _start(tool: str, arguments: list[str], environment: dict[str, str], **streams: Any) -> Any:
    try:
        return subprocess.Popen([tool, *arguments], env=environment, **streams)
    except FileNotFoundError:
        raise DatabaseToolError(tool, "not found") from None


def dump_postgresql(connection: BaseDatabaseWrapper, out: Callable[[bytes], None]) -> None:
    """pg_dump's custom format (compressed, restored with pg_restore), read as it is written. pg_dump
    reads one snapshot of the database, so the server can go on writing."""
    environment = postgres_environment(connection.settings_dict)
    with tempfile.TemporaryFile() as errors:
        process = _start(
            "pg_dump",
            ["--format=custom", "--no-owner", "--no-privileges", "--no-password"],
            environment,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            while data := process.stdout.read(CHUNK):
                out(data)
        finally:
            process.stdout.close()
            code = process.wait()
        if code != 0:
            raise DatabaseToolError("pg_dump", _last_line(errors))


def postgresql_is_empty(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore_postgresql(connection: BaseDatabaseWrapper, chunks: Iterator[bytes]) -> None:
    """pg_restore in one transaction: when it fails, or the stream stops (a damaged chunk), PostgreSQL
    rolls everything back and the database stays empty."""
    connection.close()
    environment = postgres_environment(connection.settings_dict)
    with tempfile.TemporaryFile() as errors:
        process = _start(
            "pg_restore",
            [
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                "--no-password",
                "--dbname",
                str(connection.settings_dict["NAME"]),
            ],
            environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            for data in chunks:
                process.stdin.write(data)
            process.stdin.close()
        except BrokenPipeError:
            pass  # pg_restore stopped early; its exit code and message say why.
        except BaseException:
            # Killed before it commits: PostgreSQL rolls its transaction back.
            process.kill()
            process.wait()
            raise
        if process.wait() != 0:
            raise DatabaseToolError("pg_restore", _last_line(errors))
