"""The cell rule of every CSV and XLSX file the product writes: text that people typed stays text.

Spreadsheet programs run a cell that starts with =, +, -, @ (or a tab or carriage return before one) as a
formula: a name typed into a Kobo form as `=HYPERLINK("https://…", "open")` would become a live link in a
donor's workbook. So:

- XLSX: every string is written as a string cell, never as a formula; numbers and dates keep their types.
- CSV: a string that starts with one of those characters gets an apostrophe in front (OWASP's advice), which
  spreadsheet programs show instead of running the cell. The importer takes exactly that apostrophe off
  again (`from_csv`), so an exported file imports back unchanged. A string that already starts with an
  apostrophe before one of those characters (or before another apostrophe) gets one more, so that taking
  one off gives it back as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r")
APOSTROPHE = "'"


def _escaped(text: str) -> bool:
    """Whether a CSV cell as read carries the apostrophe that `to_csv` adds."""
    return len(text) > 1 and text[0] == APOSTROPHE and (text[1] in FORMULA_STARTS or text[1] == APOSTROPHE)


def to_csv(value: Any) -> Any:
    """A value as a CSV cell: None as empty, a dangerous string with an apostrophe, anything else as is."""
    if value is None:
        return ""
    if isinstance(value, str) and value and (value[0] in FORMULA_STARTS or _escaped(value)):
        return APOSTROPHE + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [to_csv(value) for value in values]


def from_csv(text: str) -> str:
    """A CSV cell as read back: without the apostrophe `to_csv` put in front of it."""
    return text[1:] if _escaped(text) else text


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A cell for `sheet.append` (normal and write-only sheets): strings as string cells, never formulas."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        # Control characters are not allowed in a workbook; openpyxl would raise on them.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    return WriteOnlyCell(sheet, value=value)


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    return [xlsx_cell(sheet, value) for value in values]
