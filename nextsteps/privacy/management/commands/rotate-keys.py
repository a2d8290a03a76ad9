"""nextsteps rotate-keys: re-encrypt every encrypted value with the current key and re-index names."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from nextsteps.privacy import crypto, rotation


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value with the current (first) key, in batches, and recompute the "
        "name-search hashes. Safe to interrupt and to run again; values under the current key are left alone."
    )
    # The system check refuses to start when the search key changed; this command is the cure for that.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would change; change nothing")
        parser.add_argument(
            "--batch-size", type=int, default=rotation.BATCH_SIZE, help="rows per transaction"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError(_("The batch size must be at least 1."))
        crypto.reset()
        try:
            ring = crypto.keyring()
        except crypto.KeyConfigError as error:
            raise CommandError(error.message) from error
        columns = rotation.survey(batch_size)
        broken = [c for c in columns if c.undecryptable]
        if broken:
            raise CommandError(
                _(
                    "%(count)s stored values cannot be decrypted with the keys in %(source)s (%(columns)s). "
                    "Add the key that encrypted them and run this again; nothing was changed."
                )
                % {
                    "count": sum(c.undecryptable for c in broken),
                    "source": ring.source,
                    "columns": ", ".join(c.label for c in broken),
                }
            )
        if options["dry_run"]:
            for column in columns:
                self.stdout.write(
                    _("%(column)s: %(todo)s to re-encrypt, %(current)s current, %(empty)s empty")
                    % {
                        "column": column.label,
                        "todo": column.old + column.plain,
                        "current": column.current,
                        "empty": column.empty,
                    }
                )
            self.stdout.write(
                _("Dry run: %(todo)s values would be re-encrypted; nothing was changed.")
                % {"todo": sum(c.old + c.plain for c in columns)}
            )
            return
        rotation.rotate(columns, batch_size)
        person = apps.get_model("records", "Person")
        reindexed = rotation.reindex_names(
            connection, person._meta.db_table, person._meta.pk.column, batch_size
        )
        for column in columns:
            self.stdout.write(
                _("%(column)s: %(changed)s re-encrypted, %(current)s already current, %(empty)s empty")
                % {
                    "column": column.label,
                    "changed": column.changed,
                    "current": column.current,
                    "empty": column.empty,
                }
            )
        self.stdout.write(
            _(
                "Re-encrypted %(changed)s values with the current key (%(current)s were current already); "
                "re-indexed the names of %(persons)s persons for search."
            )
            % {
                "changed": sum(c.changed for c in columns),
                "current": sum(c.current for c in columns),
                "persons": reindexed,
            }
        )
        if len(ring.keys) > 1:
            self.stdout.write(
                _(
                    "This database no longer needs the older keys. Keep them with the backups made before "
                    "now, which still need them, before removing them from %(source)s."
                )
                % {"source": ring.source}
            )
