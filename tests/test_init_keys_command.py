"""`nextsteps init-keys` (and the demo, through it) makes a key file when none is configured, never over one."""

from __future__ import annotations

import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from nextsteps.privacy import crypto


@pytest.fixture
def no_keys(settings: Any, tmp_path: Path) -> Any:
    settings.NEXTSTEPS_KEYS = ""
    settings.NEXTSTEPS_KEY_FILE = ""
    settings.NEXTSTEPS_SEARCH_KEY = ""
    settings.DATA_DIR = tmp_path / "data"
    return settings


def init_keys() -> str:
    err = StringIO()
    call_command("init-keys", stdout=StringIO(), stderr=err)
    return err.getvalue()


def test_it_creates_a_private_key_file_in_the_data_folder(no_keys: Any, tmp_path: Path) -> None:
    message = init_keys()
    path = tmp_path / "data" / "keys"
    assert f"Created the key file {path}" in message
    assert "next to the database" in message
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ring = crypto.read_keyring()
    assert len(ring.keys) == 1 and len(ring.search_key) == 32
    assert ring.file == path


def test_it_never_replaces_an_existing_key_file(no_keys: Any, tmp_path: Path) -> None:
    init_keys()
    before = (tmp_path / "data" / "keys").read_text()
    assert "configured already; nothing was changed" in init_keys()
    assert (tmp_path / "data" / "keys").read_text() == before


def test_it_writes_where_nextsteps_key_file_points(no_keys: Any, tmp_path: Path) -> None:
    no_keys.NEXTSTEPS_KEY_FILE = str(tmp_path / "etc" / "nextsteps-keys")
    message = init_keys()
    assert (tmp_path / "etc" / "nextsteps-keys").exists()
    assert not (tmp_path / "data" / "keys").exists()
    assert "next to the database" not in message


def test_it_leaves_keys_from_the_environment_alone(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    assert "nothing was changed" in init_keys()
    assert not (tmp_path / "keys").exists()


@pytest.mark.django_db
def test_it_makes_no_key_over_a_database_that_holds_encrypted_data(no_keys: Any, tmp_path: Path) -> None:
    # The test database holds the demo, encrypted: its key file is what went missing.
    with pytest.raises(CommandError) as refused:
        init_keys()
    assert str(refused.value).startswith(
        "No encryption key is configured, but the database holds encrypted data already (records_"
    )
    assert not (tmp_path / "data" / "keys").exists()
