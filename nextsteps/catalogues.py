"""Compile the translation catalogues without GNU gettext.

`make` compiles with Django's compilemessages (GNU msgfmt, which also checks every entry's format) when
msgfmt is installed. On a fresh machine that has only Python and make, polib (already a dependency)
writes the same .mo files, so the quick start needs nothing else: `python -m nextsteps.catalogues`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]

LOCALE = Path(__file__).resolve().parent / "locale"


def compile_catalogues(locale: Path = LOCALE) -> list[Path]:
    """Write a .mo beside every .po that is newer than it; fuzzy and untranslated entries are left out, as
    msgfmt does. Returns the files written."""
    written = []
    for po_path in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues(Path(sys.argv[1]) if len(sys.argv) > 1 else LOCALE):
        print(f"compiled {path}")
