"""nextsteps report: print or write a programme's period report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.i18n import LANGUAGE_CODES
from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import build_report
from nextsteps.reports.render import FORMATS, render


def parse_date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(
            _("%(option)s must be a date written as YYYY-MM-DD, not “%(value)s”.")
            % {"option": option, "value": value}
        ) from None


def parse_period(start: str, end: str) -> tuple[dt.date, dt.date]:
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    if first > last:
        raise CommandError(
            _("The period starts (%(start)s) after it ends (%(end)s).") % {"start": first, "end": last}
        )
    return first, last


def get_programme(slug: str) -> Programme:
    try:
        return Programme.objects.get(slug=slug)
    except Programme.DoesNotExist:
        raise CommandError(_("There is no programme “%(slug)s”.") % {"slug": slug}) from None


class Command(BaseCommand):
    help = "Compute a programme's results report for a period and print it or write it to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", required=True, help="programme slug, e.g. next-steps")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD (included)")
        parser.add_argument("--lang", default="en", help="nl, en or ro")
        parser.add_argument("--format", dest="fmt", default="md", help="md, html or json")
        parser.add_argument("-o", "--output", help="file to write instead of printing")

    def handle(self, *args: Any, **options: Any) -> None:
        lang, fmt = options["lang"], options["fmt"]
        if lang not in LANGUAGE_CODES:
            raise CommandError(_("Unknown language “%(lang)s”; choose nl, en or ro.") % {"lang": lang})
        if fmt not in FORMATS:
            raise CommandError(
                _("Unknown format “%(format)s”; choose one of %(formats)s.")
                % {"format": fmt, "formats": ", ".join(FORMATS)}
            )
        start, end = parse_period(options["start"], options["end"])
        programme = get_programme(options["programme"])
        report = build_report(programme, start, end, lang)
        text = render(report, fmt)
        if options["output"]:
            path = Path(options["output"])
            try:
                path.write_text(text, encoding="utf-8")
            except OSError as error:
                raise CommandError(
                    _("Could not write %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
                ) from None
            with translation.override(lang):
                self.stderr.write(_("Report written to %(path)s.") % {"path": path})
        else:
            self.stdout.write(text, ending="")
