"""Limits on what an import reads, checked before a file is parsed, so that a small upload cannot make the
server hold gigabytes: the size of a file, what an XLSX workbook (a zip archive) unpacks to, and the size of
one cell.

An XLSX file declares the unpacked size of each of its parts; those sizes are checked first, from the zip's
directory alone, and a part that unpacks to more than a genuine workbook ever does (a "zip bomb") is refused.
Reading a part never returns more than its declared size. The parts that openpyxl parses are then read as a
stream, a chunk at a time, to find any text longer than a cell may be, before openpyxl builds it in memory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# Excel's own limit on the characters of one cell.
MAX_CELL = 32_767
# A CSV line (one row, or part of one) holds at most this many characters: a cell of every column of the
# widest template, at the most a cell may hold.
MAX_LINE = 32 * MAX_CELL
# Genuine workbooks unpack to some tens of times their size; a part that unpacks to more than this many
# times its packed size is refused (parts under a megabyte are too small to matter).
MAX_RATIO = 100
SMALL_PART = 1 << 20
# Genuine workbooks have some tens of parts (sheets, styles, images).
MAX_PARTS = 10_000
# In the XML, a cell's text is at most MAX_CELL characters of up to 4 bytes, or 6 when written as an
# entity (&quot;), with a little markup: no run of text between two tags is longer than this.
MAX_XML_TEXT = 6 * MAX_CELL + 1024
CHUNK = 1 << 20
MEGABYTE = 1_000_000


class TooLarge(Exception):
    """A file beyond a limit; the message, already translated, names the file and the limit."""


def max_file_size() -> int:
    return int(getattr(settings, "NEXTSTEPS_IMPORT_MAX_FILE_MB", 100)) * MEGABYTE


def max_unpacked_size() -> int:
    return int(getattr(settings, "NEXTSTEPS_IMPORT_MAX_UNPACKED_MB", 1000)) * MEGABYTE


def megabytes(size: int) -> str:
    return f"{number_format(round(size / MEGABYTE), use_l10n=True, force_grouping=True)} MB"


def size_message(name: str) -> str:
    return _(
        "%(file)s is larger than %(limit)s, the most an import file may be; split it into smaller files."
    ) % {"file": name, "limit": megabytes(max_file_size())}


def check_size(name: str, size: int) -> None:
    if size > max_file_size():
        raise TooLarge(size_message(name))


def check_file(path: Path, name: str) -> None:
    """The limits that hold before a file is opened at all: its size and, for a workbook, its zip's parts."""
    check_size(name, path.stat().st_size)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        check_archive(path, name)


def check_archive(file: Path | IO[bytes], name: str) -> None:
    """Refuse a workbook whose parts declare more than the unpacked limit, or unpack to more than MAX_RATIO
    times their packed size, reading only the zip's directory. A file that is no zip is left to the reader,
    which says it is no workbook."""
    try:
        _check_part_count(file, name)
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    finally:
        if not isinstance(file, Path):
            file.seek(0)
    limit = max_unpacked_size()
    if sum(part.file_size for part in parts) > limit:
        raise TooLarge(
            _(
                "%(file)s unpacks to more than %(limit)s, the most an import workbook may hold; split it "
                "into smaller files or save it as CSV."
            )
            % {"file": name, "limit": megabytes(limit)}
        )
    for part in parts:
        if part.file_size > SMALL_PART and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise TooLarge(
                _(
                    "%(file)s unpacks to more than %(ratio)s times its size, which no genuine workbook does; "
                    "it was not opened. Save it again from your spreadsheet program, or as CSV."
                )
                % {"file": name, "ratio": MAX_RATIO}
            )


def _check_part_count(file: Path | IO[bytes], name: str) -> None:
    """zipfile builds an object per part before anything can look at them: a small file of a million empty
    parts would take hundreds of megabytes. The count is read from the zip's end record first."""
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:  # A future Python without it: the other limits still hold.
        return
    if isinstance(file, Path):
        with open(file, "rb") as stream:
            found = end_record(stream)
    else:
        found = end_record(file)
    if found and found[zipfile._ECD_ENTRIES_TOTAL] > MAX_PARTS:  # type: ignore[attr-defined]
        raise TooLarge(
            _("%(file)s holds more than %(limit)s parts, which no genuine workbook does; it was not opened.")
            % {"file": name, "limit": number_format(MAX_PARTS, use_l10n=True, force_grouping=True)}
        )


def check_workbook_text(path: Path, name: str) -> None:
    """Refuse a workbook with a text longer than a cell may hold, reading its XML as a stream: openpyxl
    would build the whole text in memory before anything could check it."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        for part in archive.infolist():
            if not part.filename.endswith((".xml", ".rels")):
                continue
            try:
                with archive.open(part) as stream:
                    if _longest_text(stream) > MAX_XML_TEXT:
                        raise TooLarge(cell_message(name))
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                return  # The reader says the file is no workbook.


def _longest_text(stream: IO[bytes]) -> int:
    """The longest run of bytes without a "<", i.e. the longest text between two tags, stopping early."""
    longest = carry = 0
    while chunk := stream.read(CHUNK):
        runs = chunk.split(b"<")
        if len(runs) == 1:
            carry += len(chunk)
        else:
            longest = max(longest, carry + len(runs[0]), *(len(run) for run in runs[1:-1]))
            carry = len(runs[-1])
        longest = max(longest, carry)
        if longest > MAX_XML_TEXT:
            break
    return longest


def cell_message(name: str, row: Any = None, column: str | None = None) -> str:
    limit = number_format(MAX_CELL, use_l10n=True, force_grouping=True)
    if row is not None and column:
        return _(
            "%(file)s, row %(row)s, column “%(column)s”: a cell holds more than %(limit)s characters, the most "
            "a spreadsheet cell can hold."
        ) % {"file": name, "row": row, "column": column, "limit": limit}
    if row is not None:
        return _(
            "%(file)s, row %(row)s: a cell holds more than %(limit)s characters, the most a spreadsheet cell "
            "can hold."
        ) % {"file": name, "row": row, "limit": limit}
    return _(
        "%(file)s has a cell of more than %(limit)s characters, the most a spreadsheet cell can hold."
    ) % {"file": name, "limit": limit}


def line_message(name: str, row: Any) -> str:
    return _(
        "%(file)s, row %(row)s: the line is longer than %(limit)s characters; is the file a CSV file?"
    ) % {"file": name, "row": row, "limit": number_format(MAX_LINE, use_l10n=True, force_grouping=True)}
