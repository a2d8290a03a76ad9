"""`nextsteps backup` and `nextsteps restore`: an encrypted, consistent copy of the database and back.

The backup holds the database only, never the keys: it is encrypted under a key derived from the current
encryption key (see backupfile.py), so a stolen backup without the key file reveals nothing, and the key
file is backed up separately and kept elsewhere (docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils.translation import gettext as _

from nextsteps.operations import backupfile, databases
from nextsteps.privacy import crypto

SUFFIX = ".nsbackup"


class BackupError(Exception):
    """A refusal or failure, with one sentence for the user in the active language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Outcome:
    kind: str
    path: Path
    size: int
    # Migrations of this version of Next Steps that the restored database has not had yet.
    missing_migrations: int = 0


def kind_label(kind: str) -> str:
    return {databases.SQLITE: "SQLite", databases.POSTGRESQL: "PostgreSQL"}.get(kind, kind)


def _keyring() -> crypto.Keyring:
    crypto.reset()
    try:
        return crypto.keyring()
    except crypto.KeyConfigError as error:
        raise BackupError(error.message) from None


def search_key_id(ring: crypto.Keyring) -> str:
    # Which search key indexed the names inside, without revealing it: restoring under another one would
    # make every name search come back empty.
    return hmac.new(ring.search_key, b"nextsteps backup search key id v1", "sha256").hexdigest()[:16]


def file_error_message(reason: str, path: Path, source: str) -> str:
    messages = {
        "not_backup": _("%(path)s is not a Next Steps backup."),
        "newer_format": _(
            "%(path)s was written by a newer version of Next Steps; install that version to restore it."
        ),
        "wrong_keys": _(
            "%(path)s was encrypted with another key than those in %(source)s: configure the keys that were "
            "current when the backup was made."
        ),
        "truncated": _("%(path)s is incomplete: the file ends too early, so the copy was cut short."),
        "damaged": _("%(path)s is damaged or was altered: it does not match what was encrypted."),
    }
    return messages[reason] % {"path": path, "source": source}


# Backing up ---------------------------------------------------------------------------------------------


def make_backup(path: Path, *, force: bool = False) -> Outcome:
    """Write the backup to a private temporary file beside `path`, then give it its name: a backup that
    fails half-way never stands under the name of a good one."""
    connection = connections[DEFAULT_DB_ALIAS]
    kind = connection.vendor
    if kind not in (databases.SQLITE, databases.POSTGRESQL):
        raise BackupError(_("Only SQLite and PostgreSQL databases can be backed up."))
    if path.is_dir():
        raise BackupError(_("%(path)s is a folder: name the backup file to write.") % {"path": path})
    if path.exists() and not force:
        raise BackupError(
            _("%(path)s exists already; choose another name, or add --force to replace it.") % {"path": path}
        )
    if not path.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
    ring = _keyring()
    try:
        migrations = databases.applied_migrations(connection)
    except DatabaseError as error:
        raise BackupError(_unreachable(error)) from None
    metadata = {
        "database": kind,
        "migrations": migrations,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "search_key": search_key_id(ring),
    }
    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    except OSError as error:
        raise BackupError(_cannot_write(path, error)) from None
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            writer = backupfile.Writer(handle, ring.keys[0], metadata)
            dump = databases.dump_sqlite if kind == databases.SQLITE else databases.dump_postgresql
            dump(connection, writer.write)
            writer.close()
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(temporary, path)
        else:
            # Atomic and never replaces a file that appeared meanwhile.
            os.link(temporary, path)
            os.unlink(temporary)
    except databases.DatabaseToolError as error:
        raise BackupError(_tool_message(error)) from None
    except FileExistsError:
        raise BackupError(
            _("%(path)s exists already; choose another name, or add --force to replace it.") % {"path": path}
        ) from None
    except (OSError, sqlite3.Error) as error:
        raise BackupError(_cannot_write(path, error)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return Outcome(kind=kind, path=path, size=path.stat().st_size)


def _cannot_write(path: Path, error: OSError | sqlite3.Error) -> str:
    return _("The backup %(path)s cannot be written: %(error)s") % {
        "path": path,
        "error": getattr(error, "strerror", None) or error,
    }


def _unreachable(error: Exception) -> str:
    # The driver's first line says why (no such file, connection refused, authentication failed); it never
    # holds the password.
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return _("The database cannot be reached: %(error)s") % {"error": detail}


def _tool_message(error: databases.DatabaseToolError) -> str:
    if error.tool == "sqlite":
        return _("There is no SQLite database file to back up; check DATABASE_URL or NEXTSTEPS_DATA_DIR.")
    if error.detail == "not found":
        return _(
            "%(tool)s was not found: install PostgreSQL's client programs (Debian: postgresql-client) of "
            "the server's major version."
        ) % {"tool": error.tool}
    return _("%(tool)s failed: %(detail)s") % {"tool": error.tool, "detail": error.detail}


def keys_beside(path: Path) -> Path | None:
    """The key file, when the backup lies in its folder: the two must be kept apart."""
    with contextlib.suppress(crypto.KeyConfigError):
        ring = crypto.keyring()
        if ring.file is not None and crypto.is_inside(path.parent, ring.file.parent):
            return ring.file
    return None


# Restoring ----------------------------------------------------------------------------------------------


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise BackupError(_("There is no file %(path)s.") % {"path": path}) from None
    except OSError as error:
        raise BackupError(
            _("%(path)s cannot be read: %(error)s") % {"path": path, "error": error.strerror or error}
        ) from None


def _chunks(path: Path, keys: tuple[bytes, ...], source: str) -> Iterator[bytes]:
    with _open(path) as handle:
        try:
            yield from backupfile.Reader(handle, keys).chunks()
        except backupfile.BackupFileError as error:
            raise BackupError(file_error_message(error.reason, path, source)) from None


def restore_backup(path: Path, *, force: bool = False) -> Outcome:
    """Check everything that can be checked before touching the database: the file is a backup, made
    with a configured key, of this kind of database, by this version or an older one, with the names
    indexed under this search key, whole and unaltered (a first pass decrypts it all); and the database
    is empty. Only then copy it in."""
    connection = connections[DEFAULT_DB_ALIAS]
    ring = _keyring()
    with _open(path) as handle:
        try:
            metadata = backupfile.Reader(handle, ring.keys).metadata
        except backupfile.BackupFileError as error:
            raise BackupError(file_error_message(error.reason, path, ring.source)) from None
    kind = metadata.get("database")
    if kind != connection.vendor:
        raise BackupError(
            _(
                "%(path)s is a backup of a %(backup)s database and DATABASE_URL names a %(target)s one; "
                "restore it into the kind of database it came from."
            )
            % {"path": path, "backup": kind_label(str(kind)), "target": kind_label(connection.vendor)}
        )
    applied = {(app, name) for app, name in metadata.get("migrations", [])}
    known = databases.known_migrations()
    if applied - known:
        raise BackupError(
            _(
                "%(path)s was made by a newer version of Next Steps (it has migrations this version does "
                "not know, such as %(migration)s); install that version to restore it."
            )
            % {"path": path, "migration": ".".join(min(applied - known))}
        )
    if metadata.get("search_key") != search_key_id(ring):
        raise BackupError(
            _(
                "The search key in %(source)s is not the one that indexed the names in %(path)s: configure "
                "the search key that was in use when the backup was made."
            )
            % {"source": ring.source, "path": path}
        )
    for _data in _chunks(path, ring.keys, ring.source):
        pass
    try:
        _restore(connection, kind, path, ring, force)
    except DatabaseError as error:
        raise BackupError(_unreachable(error)) from None
    except sqlite3.Error as error:
        raise BackupError(
            _("The database %(target)s cannot be written: %(error)s")
            % {"target": databases.sqlite_path(connection), "error": error}
        ) from None
    return Outcome(
        kind=kind,
        path=path,
        size=path.stat().st_size,
        missing_migrations=len(known - applied),
    )


def _restore(connection: Any, kind: str, path: Path, ring: crypto.Keyring, force: bool) -> None:
    if kind == databases.SQLITE:
        target = databases.sqlite_path(connection)
        if not force and not databases.sqlite_is_empty(target):
            raise BackupError(
                _(
                    "The database %(target)s is not empty; restore into a new data folder or database file, "
                    "or stop the server and add --force to replace its contents."
                )
                % {"target": target}
            )
        databases.restore_sqlite(target, _chunks(path, ring.keys, ring.source))
    else:
        if not databases.postgresql_is_empty(connection):
            raise BackupError(
                _(
                    "The database %(target)s is not empty; create an empty database (createdb), set "
                    "DATABASE_URL to it and restore again."
                )
                % {"target": connection.settings_dict["NAME"]}
            )
        try:
            databases.restore_postgresql(connection, _chunks(path, ring.keys, ring.source))
        except databases.DatabaseToolError as error:
            raise BackupError(_tool_message(error)) from None
