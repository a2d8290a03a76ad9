"""nextsteps import-kobo: import submissions of a field form exported from KoboToolbox (CSV or JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.imports import cli
from nextsteps.imports.importer import Importer
from nextsteps.imports.kobo.submissions import MAPPINGS, sources
from nextsteps.imports.readers import TableError


class Command(BaseCommand):
    help = (
        "Import the submissions of a field form (outreach_visit, activity_attendance, volunteer_signup) "
        "exported from KoboToolbox as CSV or JSON; nothing is written unless every submission is valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        cli.add_scope_arguments(parser)
        parser.add_argument("--form", required=True, help=", ".join(MAPPINGS))
        cli.add_import_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(cli.language(options["lang"])):
            self.run(options)

    def run(self, options: dict[str, Any]) -> None:
        form = options["form"]
        if form not in MAPPINGS:
            raise CommandError(
                _("Unknown form “%(form)s”; choose one of %(forms)s.")
                % {"form": form, "forms": ", ".join(MAPPINGS)}
            )
        programme = cli.get_programme(options["programme"])
        organisation = cli.get_organisation(options["organisation"], programme)
        found = []
        paths = []
        for name in options["files"]:
            try:
                made = sources(form, Path(name))
            except TableError as error:
                raise CommandError(str(error)) from None
            found += made
            paths += [f"{name} ({source.record_type.key})" for source in made]
        cli.distinct_names(found, paths)
        importer = Importer(
            programme=programme,
            organisation=organisation,
            acting_user=cli.get_user(options["user"]),
            date_format=cli.date_format(options["date_format"]),
            batch_size=max(options["batch_size"], 1),
            max_errors=max(options["max_errors"], 1),
            dry_run=options["dry_run"],
        )
        cli.run_import(self, importer, found, options)
