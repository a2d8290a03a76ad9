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
from nextsteps.imports import limits
from nextsteps.imports.columns import letter
from nextsteps.imports.values import is_blank

# A CSV field longer than a spreadsheet cell is refused by the csv module itself (csv.Error) as it reads.
csv.field_size_limit(limits.MAX_CELL)


class TableError(Exception):
    """A file that cannot be read at all; the message is already translated."""


class _LongLine(Exception):
    """A CSV line longer than limits.MAX_LINE."""


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


def open_table(path: Path, sheet: str | None = None, *, name: str | None = None) -> Table:
    """The table of a file; `name` is what messages call it (by default the file's own name)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise TableError(_("%(file)s does not exist.") % {"file": name or path})
    name = name or path.name
    try:
        limits.check_file(path, name)
        if suffix in XLSX_SUFFIXES:
            limits.check_workbook_text(path, name)
    except limits.TooLarge as error:
        raise TableError(str(error)) from None
    if suffix in CSV_SUFFIXES:
        return CsvTable(path, name=name)
    if suffix in XLSX_SUFFIXES:
        return XlsxTable(path, sheet, name=name)
    raise TableError(
        _("%(file)s is neither a CSV file (.csv) nor an Excel workbook (.xlsx).") % {"file": name}
    )


def _not_utf8(name: str) -> TableError:
    return TableError(
        _(
            "%(file)s is not UTF-8 text. In Excel choose “CSV UTF-8 (comma delimited)” when saving, or "
            "import the .xlsx file itself."
        )
        % {"file": name}
    )


def detect_delimiter(line: str) -> str:
    """Column names never contain separators, so the header line tells which one the file uses."""
    counts = {sep: line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


class CsvTable:
    def __init__(self, path: Path, *, name: str | None = None) -> None:
        self.name = name or path.name
        self.path = path
        self.size = max(os.path.getsize(path), 1)
        self._binary = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")
        try:
            first = self._text.readline(limits.MAX_LINE + 1)
        except UnicodeDecodeError:
            self.close()
            raise _not_utf8(self.name) from None
        if len(first) > limits.MAX_LINE:
            self.close()
            raise TableError(limits.line_message(self.name, 1))
        self.delimiter = detect_delimiter(first)
        self._reader = csv.reader(itertools.chain([first], self._lines()), delimiter=self.delimiter)
        try:
            self.header = next(self._reader, [])
        except csv.Error as error:
            self.close()
            raise self._csv_error(error, 1) from None
        except (_LongLine, UnicodeDecodeError):
            self.close()
            raise _not_utf8(self.name) from None

    def _lines(self) -> Iterator[str]:
        """The file's lines, none longer than MAX_LINE: iterating the file would read a line of any length
        into memory before the csv module could refuse it."""
        while line := self._text.readline(limits.MAX_LINE + 1):
            if len(line) > limits.MAX_LINE:
                raise _LongLine
            yield line

    def _csv_error(self, error: csv.Error, row: int) -> TableError:
        if "field limit" in str(error):
            return TableError(limits.cell_message(self.name, row))
        return TableError(
            _("%(file)s, row %(row)s: the CSV cannot be read (%(reason)s).")
            % {"file": self.name, "row": row, "reason": error}
        )

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        number = 1
        from_csv, quote = spreadsheets.from_csv, spreadsheets.APOSTROPHE
        try:
            for cells in self._reader:
                number += 1
                # A row of blank cells is no row; the joined text is blank exactly when every cell is.
                if cells and "".join(cells).strip():
                    # Only a cell that starts with an apostrophe can carry the one `to_csv` adds.
                    yield number, [from_csv(cell) if cell[:1] == quote else cell for cell in cells]
        except UnicodeDecodeError:
            raise _not_utf8(self.name) from None
        except _LongLine:
            raise TableError(limits.line_message(self.name, number + 1)) from None
        except csv.Error as error:
            raise self._csv_error(error, number + 1) from None

    def fraction(self) -> float:
        try:
            return min(self._binary.tell() / self.size, 1.0)
        except (OSError, ValueError):
            return 1.0

    def close(self) -> None:
        self._text.close()


class XlsxTable:
    def __init__(self, path: Path, sheet: str | None = None, *, name: str | None = None) -> None:
        import openpyxl  # Only needed for workbooks; keeps CSV imports light.

        self.name = name or path.name
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            raise TableError(
                _("%(file)s cannot be read as an Excel workbook.") % {"file": self.name}
            ) from None
        names = self._book.sheetnames
        chosen = sheet if sheet in names else names[0]
        self.sheet = self._book[chosen]
        self.total = max(self.sheet.max_row or 1, 1)
        self._rows = self.sheet.iter_rows(values_only=True)
        self._position = 1
        try:
            self.header = list(next(self._rows, ()) or ())
            self._check_cells(self.header)
        except TableError:
            self._book.close()
            raise
        while self.header and is_blank(self.header[-1]):
            self.header.pop()

    def rows(self) -> Iterator[tuple[int, Sequence[Any]]]:
        for cells in self._rows:
            self._position += 1
            self._check_cells(cells)
            if any(not is_blank(cell) for cell in cells):
                yield self._position, cells

    def _check_cells(self, cells: Sequence[Any]) -> None:
        for index, cell in enumerate(cells):
            if cell.__class__ is str and len(cell) > limits.MAX_CELL:
                raise TableError(limits.cell_message(self.name, self._position, letter(index)))

    def fraction(self) -> float:
        return min(self._position / self.total, 1.0)

    def close(self) -> None:
        self._book.close()
