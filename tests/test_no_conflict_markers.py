"""A merge that left its conflict markers in a committed file is caught here, not by a reader of the docs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.M)


def test_no_tracked_text_file_holds_a_merge_conflict_marker() -> None:
    files = subprocess.run(
        ["git", "ls-files", "*.py", "*.md", "*.html", "*.po", "*.txt", "*.toml", "*.js", "*.css", "*.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert files, "git ls-files found nothing: is this a git checkout?"
    marked = [
        name for name in files if MARKER.search((ROOT / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert marked == []
