"""nextsteps export iati: publish a programme's results for a period as an IATI 2.03 activity file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from nextsteps.exports.iati import MissingSettings, export_iati
from nextsteps.reports import reported
from nextsteps.reports.builder import EXTERNAL
from nextsteps.reports.cli import (
    PeriodCommand,
    add_audience_argument,
    get_programme,
    parse_audience,
    parse_period,
    write_file,
)

KINDS = ("iati",)


class Command(PeriodCommand):
    help = (
        "Export a programme's results for a period. `export iati` writes an IATI 2.03 activity file: one "
        "result per pillar with each indicator's baseline, target and actual, disaggregations as dimensions "
        "(or, with --split-dimensions, as indicators of their own). Prints the XML unless -o is given. IATI files "
        "are public, so small numbers of people are withheld unless --audience internal is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="what to export: iati")
        parser.add_argument("--programme", required=True, help="programme slug, e.g. next-steps")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD (included)")
        parser.add_argument("-o", "--output", help="file to write instead of printing")
        parser.add_argument(
            "--split-dimensions",
            action="store_true",
            help="write each disaggregation cell (sex × age group, locality) as an indicator of its own",
        )
        add_audience_argument(parser, default=EXTERNAL)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] not in KINDS:
            raise CommandError(
                _("Unknown export “%(kind)s”; choose one of %(kinds)s.")
                % {"kind": options["kind"], "kinds": ", ".join(KINDS)}
            )
        audience = parse_audience(options["audience"])
        start, end = parse_period(options["start"], options["end"])
        programme = get_programme(options["programme"])
        try:
            content = export_iati(
                programme, start, end, split_dimensions=options["split_dimensions"], audience=audience
            )
        except MissingSettings as missing:
            raise CommandError(
                _("The programme “%(slug)s” lacks IATI settings (%(fields)s); set them in the admin.")
                % {"slug": programme.slug, "fields": ", ".join(missing.fields)}
            ) from None
        reported.mark_reported(programme, start, end, audience, acting_user=None)
        if not options["output"]:
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        path = Path(options["output"])
        write_file(path, content)
        self.stderr.write(_("IATI file written to %(path)s.") % {"path": path})
