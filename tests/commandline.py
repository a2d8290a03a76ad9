"""Running the installed `nextsteps` command in a fresh process, as an administrator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def nextsteps(
    *args: str, data_dir: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`nextsteps ARGS` with only the given settings: no key, database or data folder leaks in from the
    environment the suite runs in. The database is SQLite in `data_dir` unless DATABASE_URL is given."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NEXTSTEPS_DATA_DIR": str(data_dir),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "nextsteps.manage", *args],
        capture_output=True,
        text=True,
        env=clean,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
