"""Reading CSV and XLSX files one row at a time, so that a file of any size needs the memory of one row.

CSV: UTF-8 with or without a byte order mark, separated by commas or semicolons (Excel writes semicolons where
the decimal separator is a comma). XLSX: the sheet named after the record type, or else the first sheet,
read with openpyxl's streaming reader. Row numbers are the spreadsheet's: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from django.utils.translation import gettext as _

from nextsteps import spreadsheets
from nextsteps.imports.values import is_blank


class TableError(Exception):
    """A file that cannot be read at all; the message is already translated."""


class Table(Protocol):
    name: str
    header: list[Any]

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        """(row number, cells) for every row after the header that is not entirely blank."""
        ...

    def fraction(self) -> float:
        """How much of the table has been read, from 0 to 1."""
        ...

    def close(self) -> None: ...


CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


def open_table(path: Path, sheet: str | None = None) -> Table:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise TableError(_("%(file)s does not exist.") % {"file": path})
    if suffix in CSV_SUFFIXES:
        return CsvTable(path)
    if suffix in XLSX_SUFFIXES:
        return XlsxTable(path, sheet)
    raise TableError(
        _("%(file)s is neither a CSV file (.csv) nor an Excel workbook (.xlsx).") % {"file": path.name}
    )


def _not_utf8(path: Path) -> TableError:
    return TableError(
        _(
            "%(file)s is not UTF-8 text. In Excel choose “CSV UTF-8 (comma delimited)” when saving, or "
            "import the .xlsx file itself."
        )
        % {"file": path.name}
    )


def detect_delimiter(line: str) -> str:
    """Column names never contain separators, so the header line tells which one the file uses."""
    counts = {sep: line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


class CsvTable:
    def __init__(self, path: Path) -> None:
        self.name = path.name
        self.path = path
        self.size = max(os.path.getsize(path), 1)
        self._binary = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")
        try:
            first = self._text.readline()
        except UnicodeDecodeError:
            self.close()
            raise _not_utf8(path) from None
        self.delimiter = detect_delimiter(first)
        self._reader = csv.reader(itertools.chain([first], self._text), delimiter=self.delimiter)
        try:
            self.header = next(self._reader, [])
        except (csv.Error, UnicodeDecodeError):
            self.close()
            raise _not_utf8(path) from None

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        number = 1
        try:
            for cells in self._reader:
                number += 1
                if cells and any(cell.strip() for cell in cells):
                    yield number, [spreadsheets.from_csv(cell) for cell in cells]
        except UnicodeDecodeError:
            raise _not_utf8(self.path) from None
        except csv.Error as error:
            raise TableError(
                _("%(file)s, row %(row)s: the CSV cannot be read (%(reason)s).")
                % {"file": self.name, "row": number + 1, "reason": error}
            ) from None

    def fraction(self) -> float:
        try:
            return min(self._binary.tell() / self.size, 1.0)
        except (OSError, ValueError):
            return 1.0

    def close(self) -> None:
        self._text.close()


class XlsxTable:
    def __init__(self, path: Path, sheet: str | None = None) -> None:
        import openpyxl  # Only needed for workbooks; keeps CSV imports light.

        self.name = path.name
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            raise TableError(
                _("%(file)s cannot be read as an Excel workbook.") % {"file": path.name}
            ) from None
        names = self._book.sheetnames
        chosen = sheet if sheet in names else names[0]
        self.sheet = self._book[chosen]
        self.total = max(self.sheet.max_row or 1, 1)
        self._rows = self.sheet.iter_rows(values_only=True)
        self.header = list(next(self._rows, ()) or ())
        while self.header and is_blank(self.header[-1]):
            self.header.pop()
        self._position = 1

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        for cells in self._rows:
            self._position += 1
            if any(not is_blank(cell) for cell in cells):
                yield self._position, cells

    def fraction(self) -> float:
        return min(self._position / self.total, 1.0)

    def close(self) -> None:
        self._book.close()
