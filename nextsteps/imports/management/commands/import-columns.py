"""nextsteps import-columns: regenerate docs/import-columns.md, the reference of every template column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from nextsteps.imports.docs import column_reference


class Command(BaseCommand):
    help = "Print (or write with -o) the reference of every import column: docs/import-columns.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", help="file to write, e.g. docs/import-columns.md")

    def handle(self, *args: Any, **options: Any) -> None:
        text = column_reference()
        if not options["output"]:
            self.stdout.write(text, ending="")
            return
        path = Path(options["output"])
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(
                _("Could not write %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
            ) from None
