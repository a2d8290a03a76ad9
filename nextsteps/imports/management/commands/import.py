"""nextsteps import: bring CSV and XLSX template files into a programme, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from nextsteps.imports import cli
from nextsteps.imports.importer import Importer


class Command(BaseCommand):
    help = "Import CSV or XLSX files made from the import templates; nothing is written unless every row is valid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        cli.add_scope_arguments(parser)
        parser.add_argument(
            "--type", help="record type of every file (default: told from each file's columns)"
        )
        cli.add_import_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        lang = cli.language(options["lang"])
        with translation.override(lang):
            self.run(options)

    def run(self, options: dict[str, Any]) -> None:
        programme = cli.get_programme(options["programme"])
        organisation = cli.get_organisation(options["organisation"], programme)
        user = cli.get_user(options["user"])
        date_format = cli.date_format(options["date_format"])
        sources = [cli.file_source(Path(name), options["type"]) for name in options["files"]]
        cli.distinct_names(sources, options["files"])
        importer = Importer(
            programme=programme,
            organisation=organisation,
            acting_user=user,
            date_format=date_format,
            batch_size=max(options["batch_size"], 1),
            max_errors=max(options["max_errors"], 1),
            dry_run=options["dry_run"],
        )
        cli.run_import(self, importer, sources, options)
