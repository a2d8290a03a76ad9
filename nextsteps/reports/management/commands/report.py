"""nextsteps report: print or write a programme's period report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.i18n import LANGUAGE_CODES
from nextsteps.reports import reported
from nextsteps.reports.builder import INTERNAL, build_report
from nextsteps.reports.cli import (
    PeriodCommand,
    add_audience_argument,
    get_programme,
    parse_audience,
    parse_period,
    write_file,
)
from nextsteps.reports.documents import DOCUMENT_FORMATS, render_document
from nextsteps.reports.render import FORMATS, render

ALL_FORMATS = FORMATS + DOCUMENT_FORMATS


class Command(PeriodCommand):
    help = (
        "Compute a programme's results report for a period and print it or write it to a file. "
        "md, html and json print to the terminal unless -o is given; docx (Word), pdf and xlsx (indicator "
        "workbook) are files and need -o FILE (or -o - to send the bytes to standard output)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="programme slug, e.g. next-steps")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD (included)")
        parser.add_argument("--lang", default="en", help="nl, en or ro")
        parser.add_argument(
            "--format", dest="fmt", default="md", help="md, html, json, docx, pdf or xlsx (default md)"
        )
        parser.add_argument(
            "-o", "--output", help="file to write instead of printing; - for standard output (binary formats)"
        )
        add_audience_argument(parser, default=INTERNAL)

    def handle(self, *args: Any, **options: Any) -> None:
        lang = options["lang"]
        if lang not in LANGUAGE_CODES:
            raise CommandError(_("Unknown language “%(lang)s”; choose nl, en or ro.") % {"lang": lang})
        # Everything the command says, errors included, is in the language asked for.
        with translation.override(lang):
            self.report(**options)

    def report(self, **options: Any) -> None:
        lang, fmt, output = options["lang"], options["fmt"], options["output"]
        audience = parse_audience(options["audience"])
        if fmt not in ALL_FORMATS:
            raise CommandError(
                _("Unknown format “%(format)s”; choose one of %(formats)s.")
                % {"format": fmt, "formats": ", ".join(ALL_FORMATS)}
            )
        if fmt in DOCUMENT_FORMATS and not output:
            raise CommandError(
                _("A %(format)s report is a file: name it with -o FILE (or -o - for standard output).")
                % {"format": fmt}
            )
        start, end = parse_period(options["start"], options["end"])
        programme = get_programme(options["programme"])
        report = build_report(programme, start, end, lang, audience=audience)
        # Written out is sent out, as far as the app can tell: an external report of the period is reported.
        reported.mark_reported(programme, start, end, audience, acting_user=None)
        if fmt in DOCUMENT_FORMATS:
            content = render_document(report, fmt)
        else:
            text = render(report, fmt)
            if not output or output == "-":
                self.stdout.write(text, ending="")
                return
            content = text.encode("utf-8")
        if output == "-":
            self.write_binary(content)
            return
        path = Path(output)
        write_file(path, content)
        self.stderr.write(_("Report written to %(path)s.") % {"path": path})

    def write_binary(self, content: bytes) -> None:
        # call_command passes a text stream (StringIO in tests) unless told otherwise; a real terminal or pipe
        # has a byte buffer underneath.
        stream = getattr(self.stdout, "_out", sys.stdout)
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            raise CommandError(_("Standard output cannot take binary data here; use -o FILE instead."))
        stream.flush()
        buffer.write(content)
        buffer.flush()
