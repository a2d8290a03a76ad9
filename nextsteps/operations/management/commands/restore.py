"""nextsteps restore FILE: put a backup made by `nextsteps backup` into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.operations.backup import BackupError, kind_label, restore_backup
from nextsteps.privacy.cli import add_language_argument, language


class Command(BaseCommand):
    help = (
        "Restore a backup made by `nextsteps backup` into the configured database, which must be empty: a new "
        "data folder or SQLite file, or a new PostgreSQL database. Needs the keys that were current when the "
        "backup was made. --force replaces a SQLite database's contents (stop the server first)."
    )
    # The system checks read the configured database with the configured keys; before a restore there is
    # nothing to read, and this command checks the keys against the backup itself.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a backup file written by `nextsteps backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace the contents of a SQLite database that is not empty"
        )
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(language(options["lang"])):
            try:
                outcome = restore_backup(Path(options["file"]).expanduser(), force=options["force"])
            except BackupError as error:
                raise CommandError(error.message) from None
            self.stdout.write(
                _("Restored the %(kind)s database from %(path)s.")
                % {"kind": kind_label(outcome.kind), "path": outcome.path}
            )
            if outcome.missing_migrations:
                self.stdout.write(
                    _(
                        "The backup was made by an older version of Next Steps: run “nextsteps migrate” "
                        "before starting the server."
                    )
                )
