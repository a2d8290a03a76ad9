"""nextsteps counted-rows: bring the counted rows of the distinct rules up to date (docs/performance.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.imports.writing import keep_statistics, write_settings
from nextsteps.indicators import counted
from nextsteps.indicators.models import CountedRow, CountedRule, DirtyKey
from nextsteps.privacy.cli import add_language_argument, language


class Command(BaseCommand):
    help = (
        "Build the counted rows of every distinct rule that has none or was changed, and rebuild those of "
        "the persons and households changed since. Reports do this themselves before they read, and imports "
        "and generation after they write; run it after loading data some other way, or with --whole to "
        "rebuild every rule from scratch. Figures are exact either way: this only makes reports faster."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--whole", action="store_true", help="rebuild every rule's rows from scratch")
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(language(options["lang"])):
            began = time.perf_counter()
            try:
                if options["whole"]:
                    DirtyKey.objects.create(kind="*", k=0)
                # A whole rebuild writes millions of rows at national size: the import's SQLite settings.
                with write_settings():
                    counted.refresh()
            except DatabaseError as error:
                raise CommandError(
                    _("The counted rows could not be rebuilt; reports stay exact but slower: %(reason)s")
                    % {"reason": error}
                ) from None
            self.stdout.write(
                _("%(rules)s rules have %(rows)s counted rows, up to date (%(seconds)s s).")
                % {
                    "rules": CountedRule.objects.count(),
                    "rows": f"{CountedRow.objects.count():,}",
                    "seconds": f"{time.perf_counter() - began:.1f}",
                }
            )
            # The timer that runs this every day also gathers SQLite's statistics again: which index answers
            # a list best changes with the records even when their number does not.
            try:
                if keep_statistics(force=True):
                    self.stdout.write(_("The database's statistics for choosing indexes are up to date."))
            except DatabaseError as error:
                self.stderr.write(
                    _("The database's statistics could not be gathered; pages may be slower: %(reason)s")
                    % {"reason": error}
                )
