"""`nextsteps restore FILE`: a backup restored into an empty database gives the identical report; a backup made
with other keys, a file that is not a backup, a cut-off or altered one, one of the other kind of database or of a
newer version is refused with one line and changes nothing; a database that is not empty is never overwritten."""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from nextsteps.operations import backupfile, databases
from nextsteps.operations.backup import search_key_id
from nextsteps.privacy import crypto
from nextsteps.programmes.models import Programme
from tests import backups, keys

REPORT = [
    "report",
    "--programme",
    "next-steps",
    "--from",
    "2021-08-01",
    "--to",
    "2021-12-31",
    "--format",
    "json",
]


@pytest.fixture(scope="module")
def source(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> backups.Source:
    with django_db_blocker.unblock():
        return backups.test_database(tmp_path_factory.mktemp("source"))


@pytest.fixture(scope="module")
def backup(source: backups.Source, tmp_path_factory: Any) -> Path:
    path = tmp_path_factory.mktemp("backups") / "nextsteps.nsbackup"
    step = source.run("backup", str(path))
    assert step.returncode == 0, step.stderr
    return path


@contextlib.contextmanager
def empty_database(folder: Path) -> Iterator[dict[str, str]]:
    """The environment of an empty database: a new data folder (SQLite), or a new PostgreSQL database made with
    the test role (which may create databases) and dropped afterwards."""
    if connection.vendor == "sqlite":
        yield dict(backups.KEYS)
        return
    name = f"nextsteps_restore_{secrets.token_hex(4)}"
    settings_dict = connection.settings_dict
    params = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"],
        "host": settings_dict["HOST"] or "localhost",
        "port": settings_dict["PORT"] or 5432,
    }
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield {**backups.KEYS, "DATABASE_URL": backups.postgres_url(settings_dict, name)}
        finally:
            drop_database(admin, name)


def drop_database(admin: psycopg.Connection, name: str) -> None:
    """Drops a restored database. A plain DROP stops an autovacuum worker that the restore's writes woke (WITH
    (FORCE) cannot: the worker runs under no role, so a role that is not a superuser may not terminate it); a
    session the commands left open is waited for, then forced."""
    for _ in range(10):
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            return
        except psycopg.errors.ObjectInUse:
            time.sleep(0.5)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("restore", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refusal(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as refused:
        restore(path, *args)
    message = str(refused.value)
    assert "\n" not in message
    return message


def test_a_backup_restored_into_an_empty_database_gives_the_identical_report(
    source: backups.Source, backup: Path, tmp_path: Path
) -> None:
    original = source.run(*REPORT)
    assert original.returncode == 0, original.stderr
    restored_folder = tmp_path / "restored"
    with empty_database(restored_folder) as env:
        step = backups.nextsteps("restore", str(backup), data_dir=restored_folder, env=env)
        assert step.returncode == 0, step.stderr
        assert "Restored the " in step.stdout
        report = backups.nextsteps(*REPORT, data_dir=restored_folder, env=env)
        assert report.returncode == 0, report.stderr
        assert json.loads(report.stdout) == json.loads(original.stdout)
        assert json.loads(report.stdout)["indicators"]
        # Restoring again would overwrite what is now there: refused.
        again = backups.nextsteps("restore", str(backup), data_dir=restored_folder, env=env)
        assert again.returncode == 1
        assert again.stderr.startswith("CommandError: The database ") and "is not empty" in again.stderr
    if connection.vendor == "sqlite":
        database = restored_folder / "nextsteps.sqlite3"
        assert database.stat().st_mode & 0o777 == 0o600


def test_it_refuses_a_backup_made_with_other_keys(backup: Path) -> None:
    with override_settings(NEXTSTEPS_KEYS=keys.OTHER):
        message = refusal(backup)
    assert message == (
        f"{backup} was encrypted with another key than those in NEXTSTEPS_KEYS: configure the keys that were "
        "current when the backup was made."
    )


def test_it_opens_a_backup_made_before_a_key_rotation_while_the_old_key_is_kept(
    backup: Path, tmp_path: Path
) -> None:
    # The key that made the backup is now the second one: the file opens, and everything but the database
    # (this in-memory test database, not a file) passes.
    copy = tmp_path / "truncated.nsbackup"
    copy.write_bytes(backup.read_bytes()[:-1])
    with override_settings(NEXTSTEPS_KEYS=f"{keys.OTHER},{keys.CURRENT}"):
        assert "is incomplete" in refusal(copy)


def test_it_says_a_file_that_is_not_a_backup_is_not_one(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"PK\x03\x04 a spreadsheet")
    assert refusal(path, "--lang", "ro") == f"{path} nu este o copie de rezervă Next Steps."
    assert refusal(tmp_path / "missing.nsbackup") == f"There is no file {tmp_path / 'missing.nsbackup'}."


@pytest.mark.parametrize("cut", [1, 40, 1 << 16, "header"])
def test_it_says_a_backup_cut_short_is_incomplete(backup: Path, tmp_path: Path, cut: Any) -> None:
    data = backup.read_bytes()
    path = tmp_path / "cut.nsbackup"
    path.write_bytes(data[: backupfile.HEADER.size - 3] if cut == "header" else data[:-cut])
    assert refusal(path) == f"{path} is incomplete: the file ends too early, so the copy was cut short."


def test_it_says_an_altered_backup_is_damaged(backup: Path, tmp_path: Path) -> None:
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    path = tmp_path / "altered.nsbackup"
    path.write_bytes(bytes(data))
    assert refusal(path) == f"{path} is damaged or was altered: it does not match what was encrypted."
    path.write_bytes(backup.read_bytes() + b"more")
    assert "is damaged or was altered" in refusal(path)


def crafted(path: Path, **metadata: Any) -> Path:
    ring = crypto.keyring()
    with path.open("wb") as handle:
        writer = backupfile.Writer(
            handle,
            ring.keys[0],
            {
                "database": connection.vendor,
                "migrations": sorted(map(list, databases.known_migrations())),
                "search_key": search_key_id(ring),
                **metadata,
            },
        )
        writer.write(b"not a database")
        writer.close()
    return path


def test_it_refuses_a_backup_of_the_other_kind_of_database(tmp_path: Path) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path = crafted(tmp_path / "other.nsbackup", database=other)
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    assert refusal(path) == (
        f"{path} is a backup of a {names[other]} database and DATABASE_URL names a {names[connection.vendor]} "
        "one; restore it into the kind of database it came from."
    )


def test_it_refuses_a_backup_made_by_a_newer_version(tmp_path: Path) -> None:
    newer = [*map(list, databases.known_migrations()), ["records", "9999_from_the_future"]]
    path = crafted(tmp_path / "newer.nsbackup", migrations=newer)
    assert refusal(path, "--lang", "nl").startswith(
        f"{path} is gemaakt door een nieuwere versie van Next Steps"
    )
    assert "records.9999_from_the_future" in refusal(path)


def test_it_refuses_a_backup_whose_names_another_search_key_indexed(tmp_path: Path) -> None:
    path = crafted(tmp_path / "search.nsbackup", search_key="0" * 16)
    assert refusal(path).startswith("The search key in NEXTSTEPS_KEYS is not the one that indexed the names")


def test_it_never_restores_over_a_database_that_is_not_empty(demo: Programme, tmp_path: Path) -> None:
    # The test database holds the demo.
    path = crafted(tmp_path / "valid.nsbackup")
    if connection.vendor == "sqlite":
        pytest.skip("SQLite: checked on a database file by the round-trip test")
    assert "is not empty" in refusal(path)


def test_it_never_restores_over_a_file_that_is_not_a_database(backup: Path, tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: a database file")
    (tmp_path / "nextsteps.sqlite3").write_bytes(b"someone's thesis, not a database")
    step = backups.nextsteps("restore", str(backup), data_dir=tmp_path, env=backups.KEYS)
    assert step.returncode == 1
    assert "is not empty" in step.stderr
    assert (tmp_path / "nextsteps.sqlite3").read_bytes() == b"someone's thesis, not a database"
