"""A missing or wrong key makes Next Steps refuse to start, with a message that says what to do."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from nextsteps.privacy import crypto
from nextsteps.privacy.checks import check_keys, refuse_to_start_without_keys
from nextsteps.programmes.models import Programme
from tests import keys
from tests.commandline import nextsteps


@pytest.fixture
def no_keys(settings: Any, tmp_path: Path) -> Any:
    settings.NEXTSTEPS_KEYS = ""
    settings.NEXTSTEPS_KEY_FILE = ""
    settings.NEXTSTEPS_SEARCH_KEY = ""
    settings.DATA_DIR = tmp_path
    return settings


def only(messages: list[Any]) -> tuple[str, str]:
    assert len(messages) == 1, messages
    return messages[0].id, messages[0].msg


def test_without_a_key_the_checks_that_every_command_runs_fail(no_keys: Any) -> None:
    errors = [m for m in run_checks() if m.id and m.id.startswith("privacy.")]
    ident, message = only(errors)
    assert ident == "privacy.E001"
    assert "No encryption key is configured" in message
    assert "nextsteps init-keys" in message


def test_a_malformed_key_is_named_by_position_not_printed(settings: Any) -> None:
    settings.NEXTSTEPS_KEYS = f"{keys.CURRENT},not-a-real-key"
    ident, message = only(check_keys())
    assert ident == "privacy.E002"
    assert "Key 2 in NEXTSTEPS_KEYS is not a valid key" in message
    assert "not-a-real-key" not in message and keys.CURRENT not in message


def test_a_missing_search_key_is_an_error(settings: Any) -> None:
    settings.NEXTSTEPS_SEARCH_KEY = ""
    assert only(check_keys())[0] == "privacy.E003"


def test_keys_from_two_places_at_once_are_an_error(settings: Any, tmp_path: Path) -> None:
    settings.NEXTSTEPS_KEY_FILE = str(tmp_path / "keys")
    ident, message = only(check_keys())
    assert ident == "privacy.E004"
    assert "NEXTSTEPS_KEYS" in message and "NEXTSTEPS_KEY_FILE" in message


def test_a_named_key_file_that_does_not_exist_is_an_error(no_keys: Any, tmp_path: Path) -> None:
    no_keys.NEXTSTEPS_KEY_FILE = str(tmp_path / "elsewhere" / "keys")
    ident, message = only(check_keys())
    assert ident == "privacy.E001"
    assert "elsewhere" in message and "does not exist" in message


def test_a_key_file_holds_comments_the_search_key_and_the_keys_newest_first(
    no_keys: Any, tmp_path: Path
) -> None:
    path = tmp_path / "keys"
    path.write_text(f"# comment\n\nsearch: {keys.SEARCH}\n{keys.OTHER}\n  {keys.CURRENT}  \n")
    path.chmod(0o600)
    assert check_keys() == []
    ring = crypto.keyring()
    assert ring.keys == (keys.OTHER.encode(), keys.CURRENT.encode())
    assert ring.file == path
    assert crypto.decrypt(crypto.encrypt("Ana")) == "Ana"


def test_a_key_file_others_can_read_gets_a_warning(no_keys: Any, tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(f"search: {keys.SEARCH}\n{keys.CURRENT}\n")
    path.chmod(0o644)
    ident, message = only(check_keys())
    assert ident == "privacy.W001"
    assert str(path) in message


def test_with_the_demo_loaded_the_right_keys_pass(demo: Programme) -> None:
    assert check_keys() == []


def test_a_wrong_key_refuses_to_start(demo: Programme, settings: Any) -> None:
    settings.NEXTSTEPS_KEYS = keys.OTHER
    ident, message = only(check_keys())
    assert ident == "privacy.E005"
    assert "cannot be decrypted with the configured keys" in message


def test_a_changed_search_key_refuses_to_start(demo: Programme, settings: Any) -> None:
    settings.NEXTSTEPS_SEARCH_KEY = keys.OTHER
    ident, message = only(check_keys())
    assert ident == "privacy.E006"
    assert "searching persons by name would find nobody" in message


def test_a_server_without_keys_refuses_to_start(no_keys: Any) -> None:
    # wsgi.py calls this: WSGI servers do not run system checks.
    with pytest.raises(ImproperlyConfigured, match=r"privacy\.E001: No encryption key"):
        refuse_to_start_without_keys()


def test_the_commands_refuse_to_start_with_the_wrong_key_and_no_traceback(tmp_path: Path) -> None:
    right = {"NEXTSTEPS_KEYS": keys.CURRENT, "NEXTSTEPS_SEARCH_KEY": keys.SEARCH}
    wrong = {"NEXTSTEPS_KEYS": keys.OTHER, "NEXTSTEPS_SEARCH_KEY": keys.SEARCH}
    assert nextsteps("migrate", "-v0", data_dir=tmp_path, env=right).returncode == 0
    store = (
        "from nextsteps.programmes.models import Organisation as O; from nextsteps.records.models import Person;"
        "Person.objects.create(organisation=O.objects.create(name='O', slug='o', country='RO'), code='P1',"
        " given_name='Ana')"
    )
    assert nextsteps("shell", "-c", store, data_dir=tmp_path, env=right).returncode == 0
    assert nextsteps("check", data_dir=tmp_path, env=right).returncode == 0
    for args in (["check"], ["runserver", "--noreload", "127.0.0.1:8799"]):
        result = nextsteps(*args, data_dir=tmp_path, timeout=120, env=wrong)
        assert result.returncode != 0, args
        assert "privacy.E005" in result.stderr and "cannot be decrypted" in result.stderr, args
        assert "Traceback" not in result.stderr, args


def test_a_command_refuses_to_start_without_any_key(tmp_path: Path) -> None:
    result = nextsteps("migrate", data_dir=tmp_path)
    assert result.returncode != 0
    assert "privacy.E001" in result.stderr and "nextsteps init-keys" in result.stderr
    assert "Traceback" not in result.stderr
    # Nothing was written: at most the empty header SQLite lays down when Django's feature probe opens a
    # transaction (BEGIN IMMEDIATE), with no table and without the write-ahead log the migrations switch on.
    database = tmp_path / "nextsteps.sqlite3"
    if database.exists() and os.path.getsize(database):
        with closing(sqlite3.connect(database)) as connection:
            assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
            assert connection.execute("PRAGMA journal_mode").fetchone() != ("wal",)
