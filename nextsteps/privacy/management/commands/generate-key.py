"""nextsteps generate-key: print a new key, or make a new key the current one in the key file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from nextsteps.privacy import crypto


class Command(BaseCommand):
    help = (
        "Print a new key (for NEXTSTEPS_KEYS, NEXTSTEPS_SEARCH_KEY or a key file). With --add, put a new key "
        "first in the key file in use, keeping the old keys for decryption; then run rotate-keys."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--add",
            action="store_true",
            help="make the new key the current key of the key file (the old keys stay, to decrypt)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        key = crypto.new_key()
        if not options["add"]:
            self.stdout.write(key)
            return
        try:
            path = crypto.prepend_key(key)
        except crypto.KeyConfigError as error:
            raise CommandError(error.message) from error
        except OSError as error:
            raise CommandError(_("The key file cannot be written: %(error)s") % {"error": error}) from error
        self.stderr.write(
            _(
                "A new current key was added to %(path)s; the older keys stay there to decrypt. "
                "Now run “nextsteps rotate-keys” to re-encrypt the stored values with the new key."
            )
            % {"path": path}
        )
