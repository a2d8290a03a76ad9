"""A record list downloaded as CSV or XLSX: the columns the page shows, of the records its filters and sort
select, in the reader's language.

Only records the reader may see (the list's own query, through the access module). Every cell goes through
nextsteps/spreadsheets.py, so that a name typed as `=HYPERLINK(...)` stays text in any spreadsheet program.
Exports are audited as the import files' export audits them (nextsteps/imports/export.py): one EXPORT entry
per person-level record, written before the file and limited to the records it audited; one entry per
organisation for the other kinds. The file is streamed (CSV) or written by openpyxl's write-only mode to a
temporary file (XLSX), so that a long list does not have to fit in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Model, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from nextsteps import spreadsheets
from nextsteps.accounts import access
from nextsteps.audit.log import acting_organisation_of, log_each
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation
from nextsteps.records import listing
from nextsteps.records.kinds import KINDS

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 2000
# What a download writes a row of: records read from the database a chunk at a time, or rows a page already
# holds (the likely duplicate pairs).
Rows = QuerySet[Any] | Sequence[Any]


def _each(records: Rows) -> Iterator[Any]:
    return records.iterator(chunk_size=CHUNK) if isinstance(records, QuerySet) else iter(records)


@login_required
def record_export(request: HttpRequest, kind: str) -> HttpResponseBase:
    spec = KINDS[kind]
    access.require(access.can(request.user, kind))
    fmt = request.GET.get("format", "csv")
    if fmt not in CONTENT_TYPES:
        raise Http404
    params = request.GET.copy()
    params.pop("format", None)
    found = listing.listed(request.user, spec, params)
    if found.filters.is_bound and not found.filters.is_valid():
        # The list says what is wrong with the filters; an export of everything instead would surprise.
        return redirect(f"{reverse(f'records:{kind}-list')}?{params.urlencode()}")
    records = audited(
        request.user,
        found.queryset,
        organisation_path=spec.organisation_path,
        fields=spec.list_columns,
        person_level=spec.person_level,
    )
    return download(
        fmt,
        spec.slug,
        str(spec.label_plural),
        lambda: [listing.column_label(spec, column) for column in spec.list_columns],
        records,
        lambda obj: [_value(listing.cell(obj, column)) for column in spec.list_columns],
    )


def download(
    fmt: str,
    name: str,
    title: str,
    headers: Callable[[], list[str]],
    records: Rows,
    values: Callable[[Any], list[Any]],
) -> HttpResponseBase:
    """The file of a list: a header row, then one row of `values` per record, in the reader's language."""
    language = translation.get_language() or "en"
    filename = f"{name}-{dt.date.today():%Y-%m-%d}.{fmt}"
    response: StreamingHttpResponse | FileResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(headers, records, values, language), content_type=CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(
            _xlsx_file(title, headers, records, values, language),
            as_attachment=True,
            filename=filename,
            content_type=CONTENT_TYPES[fmt],
        )
    # Person-level data: no copy kept by a browser's or a proxy's cache.
    response["Cache-Control"] = "no-store"
    return response


def audited(
    user: Any,
    records: QuerySet[Any],
    *,
    organisation_path: str,
    fields: Iterable[str],
    person_level: bool,
) -> QuerySet[Any]:
    """Write who exports which records (and which of their fields); the records the file may hold: those
    audited, and none added since."""
    path = organisation_path
    organisations = Organisation.objects.filter(
        pk__in=records.order_by().values_list(path, flat=True).distinct()
    ).order_by("pk")
    names = sorted(fields)
    if not person_level:
        audit_whole_export(user, records.model, organisations, names)
        return records
    kept = Q(pk__in=[])
    for organisation in organisations:
        upto = log_each(
            records.filter(**{path: organisation}),
            AuditEntry.Action.EXPORT,
            user=user,
            organisation=organisation,
            fields=names,
        )
        if upto is not None:
            kept |= Q(**{path: organisation, "pk__lte": upto})
    return records.filter(kept)


def audit_whole_export(
    user: Any, model: type[Model], organisations: Iterable[Any], fields: list[str]
) -> None:
    """One EXPORT entry per organisation for a file of records that are not person-level: the file is
    audited as a whole, not record by record."""
    for organisation in organisations:
        AuditEntry.objects.create(
            action=AuditEntry.Action.EXPORT,
            model=model._meta.label,
            object_pk="*",
            user=user,
            organisation=organisation,
            acting_organisation=acting_organisation_of(user, organisation),
            fields=fields,
        )


def _value(value: Any) -> Any:
    """A cell's value as the page shows it; dates and numbers keep their types for the writers."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Model | Promise):
        return str(value)
    return value


class _Line:
    """What csv.writer writes to: each row comes back as the text of one line, to be streamed."""

    def write(self, text: str) -> str:
        return text


def _csv_lines(
    headers: Callable[[], list[str]],
    records: Rows,
    values: Callable[[Any], list[Any]],
    language: str,
) -> Iterator[str]:
    writer = csv.writer(_Line())
    with translation.override(language):
        # The byte order mark tells spreadsheet programs the file is UTF-8 (ș, ț, ë).
        yield "\ufeff" + writer.writerow(spreadsheets.csv_row(headers()))
        for obj in _each(records):
            cells = [formats.date_format(v) if isinstance(v, dt.date) else v for v in values(obj)]
            yield writer.writerow(spreadsheets.csv_row(cells))


def _xlsx_file(
    title: str,
    headers: Callable[[], list[str]],
    records: Rows,
    values: Callable[[Any], list[Any]],
    language: str,
) -> Any:
    from openpyxl import Workbook

    with translation.override(language):
        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=title[:31])
        sheet.append(spreadsheets.xlsx_row(sheet, headers()))
        date_format = excel_date_format(str(formats.get_format("DATE_FORMAT")))
        for obj in _each(records):
            cells = spreadsheets.xlsx_row(sheet, values(obj))
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = date_format
            sheet.append(cells)
    # Closed by the response once sent (and then gone from the disk): no context manager here.
    stream = tempfile.TemporaryFile()  # noqa: SIM115
    book.save(stream)
    stream.seek(0)
    return stream


# Django's date format characters and the spreadsheet number format that writes the same.
_EXCEL_DATE = {"j": "d", "d": "dd", "n": "m", "m": "mm", "N": "mmm", "M": "mmm", "b": "mmm", "F": "mmmm"}
_EXCEL_DATE |= {"Y": "yyyy", "y": "yy", "D": "ddd", "l": "dddd"}


def excel_date_format(django_format: str) -> str:
    """The number format that shows a date cell as the reader's language writes dates on the pages ("j F Y"
    becomes "d mmmm yyyy"); anything else in the format is written as it is."""
    parts: list[str] = []
    chars = iter(django_format)
    for char in chars:
        if char == "\\":
            literal = next(chars, "")
            parts.append(f"\\{literal}" if literal else "")
        elif char in _EXCEL_DATE:
            parts.append(_EXCEL_DATE[char])
        else:
            parts.append(char if char in " ,/-" else f"\\{char}")
    return "".join(parts)
