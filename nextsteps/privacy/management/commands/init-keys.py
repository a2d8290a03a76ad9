"""nextsteps init-keys: create a key file when no encryption key is configured yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from nextsteps.privacy import crypto


class Command(BaseCommand):
    help = (
        "Create a key file with a new encryption key and search key (at NEXTSTEPS_KEY_FILE, or in the data "
        "folder), unless keys are configured already. An existing key file is never overwritten."
    )
    # It makes the keys whose absence the system check reports.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = crypto.create_key_file_if_missing()
        except OSError as error:
            raise CommandError(
                _("The key file %(path)s cannot be written: %(error)s")
                % {"path": crypto.configured_key_file(), "error": error}
            ) from error
        except crypto.KeyConfigError as error:
            raise CommandError(error.message) from None
        if path is None:
            self.stderr.write(_("Encryption keys are configured already; nothing was changed."))
            return
        self.stderr.write(crypto.new_key_file_message(path))
