"""nextsteps kobo-forms: write the field forms as XLSForm workbooks for KoboToolbox or ODK."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from nextsteps.imports import vocabularies
from nextsteps.imports.kobo.forms import FORMS, write_xlsform


class Command(BaseCommand):
    help = "Write the field forms (outreach visit, activity attendance, volunteer sign-up) as XLSForm .xlsx files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", default=".", help="folder to write the forms to (default: here)"
        )
        parser.add_argument("--form", action="append", help="only this form (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["output"])
        wanted = options["form"] or list(FORMS)
        unknown = [name for name in wanted if name not in FORMS]
        if unknown:
            raise CommandError(
                _("Unknown form “%(form)s”; choose one of %(forms)s.")
                % {"form": unknown[0], "forms": ", ".join(FORMS)}
            )
        lists = vocabularies.load(None)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name in wanted:
                path = folder / f"{name}.xlsx"
                write_xlsform(FORMS[name], path, lists)
                self.stdout.write(_("Form written to %(path)s.") % {"path": path})
        except OSError as error:
            raise CommandError(
                _("Could not write %(path)s: %(reason)s") % {"path": folder, "reason": error.strerror}
            ) from None
