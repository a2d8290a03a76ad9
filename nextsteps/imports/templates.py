"""Writing templates and filled-in files: a header row of column names, then rows, as CSV or XLSX.

CSV files start with a byte order mark so that Excel opens them as UTF-8 (diacritics intact); the importer
reads them with or without it. Workbooks get a second sheet that documents every column in the reader's
language, with the allowed values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from nextsteps import spreadsheets
from nextsteps.imports import columns as c
from nextsteps.imports.values import Vocabulary

FORMATS = ("csv", "xlsx")


def example_row(record_type: c.RecordType) -> list[str]:
    return [column.example for column in record_type.columns]


def allowed_values(column: c.Column, vocabularies: dict[str, Vocabulary], lang: str | None = None) -> str:
    """The allowed values of a column in one line: codes, with their label in `lang` (or all labels)."""
    if column.vocabulary is None:
        return ""
    parts = []
    for choice in vocabularies[column.vocabulary].choices:
        labels = [choice.labels[lang]] if lang else list(dict.fromkeys(choice.labels.values()))
        parts.append(f"{choice.code} ({' / '.join(labels)})")
    return "; ".join(parts)


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]] = ()) -> int:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(spreadsheets.csv_row(header))
    count = 0
    for row in rows:
        writer.writerow(spreadsheets.csv_row(row))
        count += 1
    return count


def write_file(
    path: Path,
    record_type: c.RecordType,
    rows: Iterable[Sequence[Any]] = (),
    *,
    header: Sequence[str] | None = None,
    fmt: str | None = None,
    vocabularies: dict[str, Vocabulary] | None = None,
    lang: str = "en",
) -> int:
    """Write a template (no rows) or a filled-in file; returns the number of rows written."""
    header = list(header or record_type.names)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as stream:
            return write_csv(stream, header, rows)
    if fmt == "xlsx":
        return _write_xlsx(path, record_type, header, rows, vocabularies or {}, lang)
    raise ValueError(fmt)


def csv_text(record_type: c.RecordType) -> str:
    stream = io.StringIO()
    write_csv(stream, record_type.names)
    return stream.getvalue()


def _write_xlsx(
    path: Path,
    record_type: c.RecordType,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    vocabularies: dict[str, Vocabulary],
    lang: str,
) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    # Write-only mode streams rows to disk, so an export of any size needs the memory of one row.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(record_type.key)
    bold = Font(bold=True)
    head = []
    for name in header:
        cell = spreadsheets.xlsx_cell(sheet, name)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    count = 0
    for row in rows:
        sheet.append(spreadsheets.xlsx_row(sheet, row))
        count += 1
    help_sheet = book.create_sheet(_("columns"))
    help_sheet.append(
        [
            spreadsheets.xlsx_cell(help_sheet, str(text))
            for text in (
                _("column"),
                _("required"),
                _("type"),
                _("allowed values"),
                _("example"),
                _("description"),
            )
        ]
    )
    for column in record_type.columns:
        if column.name not in header:
            continue
        help_sheet.append(
            spreadsheets.xlsx_row(
                help_sheet,
                [
                    column.name,
                    _("yes") if column.required else _("no"),
                    str(c.KIND_LABELS[column.kind]),
                    allowed_values(column, vocabularies, lang) if vocabularies else "",
                    column.example,
                    str(column.description),
                ],
            )
        )
    book.save(path)
    return count
