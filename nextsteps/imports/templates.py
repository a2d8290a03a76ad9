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
# The first cell of a template's example row starts with this: the importer skips that row (is_example).
EXAMPLE_MARK = "EXAMPLE-"


def example_row(record_type: c.RecordType) -> list[str]:
    return [column.example for column in record_type.columns]


def marked_example_row(record_type: c.RecordType) -> list[str]:
    """The example row a downloaded template carries: clearly synthetic, and skipped when imported, so
    that a template imported unchanged writes nothing (and says why)."""
    row = example_row(record_type)
    return [f"{EXAMPLE_MARK}{row[0]}", *row[1:]] if row else row


def is_example(cells: Sequence[Any]) -> bool:
    first = cells[0] if cells else None
    return isinstance(first, str) and first.strip().upper().startswith(EXAMPLE_MARK)


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
    example: bool = False,
) -> int:
    """Write a template (no rows, or with `example` its example row) or a filled-in file; returns the number
    of rows written. A workbook's header marks the required columns (bold, with a note)."""
    header = list(header or record_type.names)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if example:
        rows = [marked_example_row(record_type)]
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as stream:
            return write_csv(stream, header, rows)
    if fmt == "xlsx":
        return _write_xlsx(path, record_type, header, rows, vocabularies or {}, lang)
    raise ValueError(fmt)


def csv_text(record_type: c.RecordType, *, example: bool = False) -> str:
    stream = io.StringIO()
    write_csv(stream, record_type.names, [marked_example_row(record_type)] if example else ())
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
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    # Write-only mode streams rows to disk, so an export of any size needs the memory of one row.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(record_type.key)
    bold = Font(bold=True)
    required = set(record_type.required)
    head = []
    for name in header:
        cell = spreadsheets.xlsx_cell(sheet, name)
        # The names stay as the importer reads them: required columns are bold and carry a note.
        if name in required:
            cell.font = bold
            cell.comment = Comment(_("Required: every row needs a value here."), "Next Steps")
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
