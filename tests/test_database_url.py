"""A DATABASE_URL that cannot be used stops the command at start with one line that says how to write it,
without a traceback and without repeating the URL (it may hold a password)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.commandline import nextsteps


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("nonsense", "DATABASE_URL must look like sqlite:///path/to/file.sqlite3 or postgres://"),
        ("mysql://someone:s3cret@db.example/nextsteps", "“mysql” is not a supported kind of database."),
        ("postgres://someone:s3cret@db.example:port/nextsteps", "DATABASE_URL cannot be read"),
    ],
)
def test_a_bad_database_url_is_one_line_at_start(tmp_path: Path, url: str, says: str) -> None:
    result = nextsteps("check", data_dir=tmp_path, env={"DATABASE_URL": url})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ImproperlyConfigured: ") and says in lines[0]
    assert "s3cret" not in result.stderr


def test_the_settings_read_both_kinds_of_database() -> None:
    from nextsteps.settings import database_from_url

    assert database_from_url("sqlite:////tmp/x.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"
    postgres = database_from_url("postgres://someone:pw@127.0.0.1:5432/nextsteps")
    assert (postgres["ENGINE"], postgres["NAME"], postgres["PORT"]) == (
        "django.db.backends.postgresql",
        "nextsteps",
        5432,
    )
