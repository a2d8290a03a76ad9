"""`nextsteps generate-key` prints a new key, or with --add makes one current in the key file."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from nextsteps.privacy import crypto
from tests import keys


def generate(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("generate-key", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_it_prints_a_new_valid_key_each_time() -> None:
    first, second = generate()[0], generate()[0]
    assert first != second
    assert Fernet(first.encode()).decrypt(Fernet(first.encode()).encrypt(b"x")) == b"x"


def test_add_puts_a_new_key_first_and_keeps_the_others_and_the_search_key(
    settings: Any, tmp_path: Path
) -> None:
    path = tmp_path / "keys"
    crypto.write_key_file(path, [keys.CURRENT], keys.SEARCH)
    settings.NEXTSTEPS_KEYS = ""
    settings.NEXTSTEPS_SEARCH_KEY = ""
    settings.NEXTSTEPS_KEY_FILE = str(path)
    token = crypto.encrypt("Ana")
    _out, message = generate("--add")
    assert "nextsteps rotate-keys" in message
    ring = crypto.keyring()
    assert len(ring.keys) == 2 and ring.keys[1] == keys.CURRENT.encode()
    assert crypto.decrypt(token) == "Ana"
    assert not crypto.is_current(token)
    assert ring.search_key == crypto.read_keyring().search_key
    assert f"search: {keys.SEARCH}" in path.read_text()
    assert path.stat().st_mode & 0o077 == 0


def test_add_refuses_when_the_keys_come_from_the_environment() -> None:
    with pytest.raises(CommandError, match="NEXTSTEPS_KEYS"):
        generate("--add")
