"""Files Next Steps creates are for its own user: 0600 in folders 0700, as the key file already is. Files
that are too open already are reported by a system check, not changed."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nextsteps.privacy.checks import DATA_OPEN, check_data_permissions
from tests import keys
from tests.commandline import ROOT, nextsteps

ENV = {"NEXTSTEPS_KEYS": keys.CURRENT, "NEXTSTEPS_SEARCH_KEY": keys.SEARCH}
SEED = """
from nextsteps.accounts.models import Membership, Role, User
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Person
org = Organisation.objects.create(name="O", slug="o", country="RO")
Membership.objects.create(user=User.objects.create(username="dpo"), organisation=org, role=Role.DATA_PROTECTION_OFFICER)
Person.objects.create(organisation=org, code="P1", given_name="Ana")
open("upload.csv", "w").write("as an upload is written: with open()")
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_its_folder_uploads_and_exports_are_private(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir()
    assert nextsteps("migrate", "-v0", data_dir=data, env=ENV).returncode == 0
    # `shell` runs in the test's folder: the plain open() in SEED writes there.
    seeded = subprocess.run(
        [sys.executable, "-m", "nextsteps.manage", "shell", "-c", SEED],
        env={"PATH": "/usr/bin:/bin", "NEXTSTEPS_DATA_DIR": str(data), "PYTHONPATH": str(ROOT), **ENV},
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert seeded.returncode == 0, seeded.stderr
    exported = nextsteps(
        "person", "export", "P1", "--user", "dpo", "-o", str(out / "p1.json"), data_dir=data, env=ENV
    )
    assert exported.returncode == 0, exported.stderr
    assert mode(data) == 0o700
    database = [p for p in data.iterdir() if p.name.startswith("nextsteps.sqlite3")]
    assert database and {p.name: mode(p) for p in database} == {p.name: 0o600 for p in database}
    assert {mode(p) for p in data.rglob("*") if p.is_dir()} <= {0o700}
    assert mode(out / "p1.json") == 0o600
    assert mode(out / "upload.csv") == 0o600


def test_the_web_application_creates_private_files_too(tmp_path: Path) -> None:
    code = "import os, nextsteps.wsgi; print(oct(os.umask(0o022)))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", "NEXTSTEPS_DATA_DIR": str(tmp_path / "data"), "DEBUG": "1", **ENV},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0o77"
    assert mode(tmp_path / "data") == 0o700


def test_files_that_others_can_read_are_reported_and_left_as_they_are(tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    (tmp_path / "static").mkdir(mode=0o755)
    (tmp_path / "static" / "app.css").write_text("public")
    (tmp_path / "imports").mkdir(mode=0o700)
    export = tmp_path / "imports" / "export.csv"
    export.write_text("names")
    export.chmod(0o644)
    tmp_path.chmod(0o700)
    (warning,) = check_data_permissions()
    assert (
        warning.id == DATA_OPEN
        and warning.msg
        == f"1 file or folder of Next Steps can be read by other users of this machine: {export}."
    )
    assert "chmod -R go-rwx" in (warning.hint or "")
    assert mode(export) == 0o644
    export.chmod(0o600)
    assert check_data_permissions() == []


@pytest.mark.parametrize("opened", [0o755, 0o750])
def test_a_data_folder_others_can_enter_is_reported(tmp_path: Path, settings: Any, opened: int) -> None:
    settings.DATA_DIR = tmp_path
    tmp_path.chmod(opened)
    (warning,) = check_data_permissions()
    assert str(tmp_path) in warning.msg
