"""`nextsteps backup FILE`: an encrypted copy of the database, private, never over an existing file, without the
keys in it. Restoring it is tests/test_restore_command.py."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from nextsteps.operations import backupfile
from nextsteps.privacy import crypto
from nextsteps.programmes.models import Programme
from nextsteps.records.models import Person
from tests import backups, keys


@pytest.fixture(scope="module")
def source(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> backups.Source:
    with django_db_blocker.unblock():
        return backups.test_database(tmp_path_factory.mktemp("source"))


@pytest.fixture(scope="module")
def made(source: backups.Source, tmp_path_factory: Any) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("backups")
    path = folder / "nextsteps.nsbackup"
    return path, source.run("backup", str(path))


def contents(path: Path) -> tuple[dict[str, object], bytes]:
    with path.open("rb") as handle:
        reader = backupfile.Reader(handle, crypto.keyring().keys)
        return reader.metadata, b"".join(reader.chunks())


def test_it_writes_a_file_only_its_owner_can_read(made: tuple[Path, Any]) -> None:
    path, step = made
    assert step.returncode == 0, step.stderr
    assert step.stdout.startswith("Wrote an encrypted backup of the ")
    assert path.stat().st_mode & 0o777 == 0o600
    # Nothing but the backup is left behind: no temporary copy, no partial file.
    assert [p.name for p in path.parent.iterdir()] == ["nextsteps.nsbackup"]


def test_it_holds_no_name_and_no_key_in_clear(made: tuple[Path, Any], demo: Programme) -> None:
    path, _step = made
    content = path.read_bytes()
    person = Person.objects.exclude(family_name="").first()
    assert person is not None
    for secret in (person.family_name, person.phone, keys.CURRENT, keys.SEARCH, "records_person"):
        assert secret.encode() not in content
    _metadata, database = contents(path)
    # Inside is the database (its names encrypted as in the database), never the keys.
    assert keys.CURRENT.encode() not in database and keys.SEARCH.encode() not in database
    assert b"records_person" in database


def test_it_records_the_kind_of_database_and_its_migrations(made: tuple[Path, Any], demo: Programme) -> None:
    path, _step = made
    metadata, _database = contents(path)
    assert metadata["database"] == connection.vendor
    migrations = metadata["migrations"]
    assert isinstance(migrations, list)
    assert ["records", "0001_people_cases_visits_activities"] in migrations


def test_it_never_replaces_an_existing_file_unless_told(source: backups.Source, tmp_path: Path) -> None:
    path = tmp_path / "nextsteps.nsbackup"
    path.write_bytes(b"last week's backup")
    refused = source.run("backup", str(path))
    assert refused.returncode == 1
    assert refused.stderr == (
        f"CommandError: {path} exists already; choose another name, or add --force to replace it.\n"
    )
    assert path.read_bytes() == b"last week's backup"
    forced = source.run("backup", str(path), "--force")
    assert forced.returncode == 0, forced.stderr
    assert path.read_bytes().startswith(backupfile.MAGIC)
    assert path.stat().st_mode & 0o777 == 0o600


def test_it_says_so_in_the_users_language_when_the_folder_is_missing(demo: Programme, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path / "nowhere" / "x.nsbackup"), "--lang", "nl", stdout=StringIO())
    assert str(refused.value) == f"De map {tmp_path / 'nowhere'} bestaat niet."


def test_it_warns_when_the_backup_lies_beside_the_key_file(source: backups.Source, tmp_path: Path) -> None:
    key_file = tmp_path / "keys"
    crypto.write_key_file(key_file, [keys.CURRENT], keys.SEARCH)
    step = source.run(
        "backup", str(tmp_path / "nextsteps.nsbackup"), NEXTSTEPS_KEYS="", NEXTSTEPS_KEY_FILE=str(key_file)
    )
    assert step.returncode == 0, step.stderr
    assert f"in the same folder as the key file {key_file}" in step.stderr


def test_without_keys_it_refuses_and_writes_nothing(demo: Programme, tmp_path: Path) -> None:
    with (
        override_settings(NEXTSTEPS_KEYS="", NEXTSTEPS_KEY_FILE=str(tmp_path / "missing")),
        pytest.raises(CommandError) as refused,
    ):
        call_command("backup", str(tmp_path / "nextsteps.nsbackup"), stdout=StringIO())
    assert "does not exist" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_a_database_that_does_not_answer_is_one_line_in_the_users_language(tmp_path: Path) -> None:
    step = backups.nextsteps(
        "backup",
        str(tmp_path / "nextsteps.nsbackup"),
        "--lang",
        "ro",
        data_dir=tmp_path,
        env={**backups.KEYS, "DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'nextsteps.sqlite3'}"},
    )
    assert (step.returncode, step.stdout) == (1, "")
    assert step.stderr == "CommandError: Baza de date nu poate fi accesată: unable to open database file\n"
    assert not (tmp_path / "nextsteps.nsbackup").exists()
