"""nextsteps backup FILE: an encrypted, consistent copy of the database, taken while the server runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.operations.backup import BackupError, keys_beside, kind_label, make_backup
from nextsteps.privacy.cli import add_language_argument, language


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database (SQLite's online backup, or pg_dump for PostgreSQL) to "
        "FILE, encrypted under the current encryption key and readable by its owner only. The key file is "
        "not in it: back that up separately and keep the two apart. An existing FILE is kept unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="the backup file to write, e.g. /var/backups/nextsteps/2025-01-31.nsbackup"
        )
        parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(language(options["lang"])):
            path = Path(options["file"]).expanduser()
            try:
                outcome = make_backup(path, force=options["force"])
            except BackupError as error:
                raise CommandError(error.message) from None
            self.stdout.write(
                _("Wrote an encrypted backup of the %(kind)s database to %(path)s (%(size)s).")
                % {
                    "kind": kind_label(outcome.kind),
                    "path": outcome.path,
                    "size": filesizeformat(outcome.size),
                }
            )
            key_file = keys_beside(path)
            if key_file is not None:
                self.stderr.write(
                    _(
                        "The backup lies in the same folder as the key file %(keys)s: keep backups and keys "
                        "in different places, or whoever gets one gets both."
                    )
                    % {"keys": key_file}
                )
