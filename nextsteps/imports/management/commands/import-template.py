"""nextsteps import-template: an empty import template (header row) for one record type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.imports import cli, templates, vocabularies


class Command(BaseCommand):
    help = "Write the empty import template of a record type (CSV to standard output unless -o is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("type", metavar="TYPE", help="record type, e.g. persons or outreach_visits")
        parser.add_argument("-o", "--output", help="file to write")
        parser.add_argument(
            "--format", dest="fmt", help="csv or xlsx (default: from the file name, else csv)"
        )
        parser.add_argument("--lang", help="language of the xlsx column help: nl, en or ro")
        parser.add_argument(
            "--example", action="store_true", help="add the example row (skipped when the file is imported)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lang = cli.language(options["lang"])
        with translation.override(lang):
            rtype = cli.record_type(options["type"])
            output = Path(options["output"]) if options["output"] else None
            fmt = (options["fmt"] or (output.suffix.lstrip(".").lower() if output else "") or "csv").lower()
            if fmt not in templates.FORMATS:
                raise CommandError(_("Unknown format “%(format)s”; choose csv or xlsx.") % {"format": fmt})
            if output is None:
                if fmt == "xlsx":
                    output = Path(f"{rtype.key}.xlsx")
                else:
                    self.stdout.write(templates.csv_text(rtype, example=options["example"]), ending="")
                    return
            try:
                templates.write_file(
                    output,
                    rtype,
                    fmt=fmt,
                    vocabularies=vocabularies.load(None),
                    lang=lang,
                    example=options["example"],
                )
            except OSError as error:
                raise CommandError(
                    _("Could not write %(path)s: %(reason)s") % {"path": output, "reason": error.strerror}
                ) from None
            self.stderr.write(_("Template written to %(path)s.") % {"path": output})
