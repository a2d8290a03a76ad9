"""Finding records by the first letters of their code, whatever the case they were typed in.

Codes are stored as typed (`SAL-00042`); the lookup compares the lower-case code with a range of strings
(`sal-` up to `sal.`), which a b-tree index on the same expression answers as one index range. On
PostgreSQL that expression carries the "C" collation: in a linguistic collation (en_US, ro_RO) punctuation is
ignored at first and `sal-00042` does not sort between `sal-` and `sal.`, so the range would miss it; byte
order keeps every code that starts with the typed letters inside the range. SQLite compares bytes already.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.db.models.functions import Lower

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class CodeKey(Lower):
    """The lower-case code in byte order: what the code indexes (records/models.py) hold."""

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return f'({sql} COLLATE "C")', params


def code_path(kind: str) -> str:
    """Where the code of a record of `kind` is: a case is known by its person's."""
    return "person__code" if kind == "case" else "code"


def lowered(text: str, vendor: str) -> str:
    """`text` as the database's LOWER() writes it: SQLite's folds only the letters A to Z."""
    return text.translate(_ASCII_LOWER) if vendor == "sqlite" else text.lower()


def code_starts_with(path: str, text: str, vendor: str) -> Q | None:
    """A condition on the annotation `path` (a CodeKey) for codes that start with `text`; None for no text."""
    prefix = lowered(text.strip(), vendor)
    if not prefix:
        return None
    # Every string that starts with the prefix sorts from the prefix itself up to (excluding) the prefix with
    # its last character moved one up: byte order of UTF-8 is the order of code points.
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return Q(**{f"{path}__startswith": prefix})
    after = prefix[:-1] + chr(last + 1 if last + 1 not in range(0xD800, 0xE000) else 0xE000)
    return Q(**{f"{path}__gte": prefix, f"{path}__lt": after})
