"""The test database as a `nextsteps` process in another folder sees it, for the backup and restore tests."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

from tests import keys
from tests.commandline import nextsteps

KEYS = {"NEXTSTEPS_KEYS": keys.CURRENT, "NEXTSTEPS_SEARCH_KEY": keys.SEARCH}


@dataclass(frozen=True)
class Source:
    folder: Path
    env: dict[str, str]

    def run(self, *args: str, **env: str) -> Any:
        return nextsteps(*args, data_dir=self.folder, env={**self.env, **env})


def postgres_url(settings_dict: dict[str, Any], name: str | None = None) -> str:
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    host = settings_dict["HOST"] or "localhost"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{name or settings_dict['NAME']}"


def test_database(folder: Path) -> Source:
    """PostgreSQL: the test database itself (its demo is committed). SQLite: a file copy of the in-memory test
    database in `folder`. Call it outside a test's transaction (a module fixture)."""
    if connection.vendor == "postgresql":
        return Source(folder, {**KEYS, "DATABASE_URL": postgres_url(connection.settings_dict)})
    connection.ensure_connection()
    target = sqlite3.connect(folder / "nextsteps.sqlite3")
    try:
        connection.connection.backup(target)  # type: ignore[union-attr]
        target.execute("PRAGMA journal_mode = WAL")
    finally:
        target.close()
    # As an installation's own files are (privacy.W003 would warn about anything more open).
    folder.chmod(0o700)
    for path in folder.iterdir():
        path.chmod(0o600)
    return Source(folder, dict(KEYS))
