"""nextsteps demo: load the demo programme, print its Dutch report, and serve the app."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.accounts.models import Role
from nextsteps.demo import programme as spec
from nextsteps.demo.load import ensure_personas, load_demo
from nextsteps.privacy import crypto
from nextsteps.reports.builder import build_report
from nextsteps.reports.render import render

DEFAULT_PASSWORD = "next-steps-demo"


class Command(BaseCommand):
    help = "Load the demo programme with synthetic records, print its Dutch report and serve the app."
    # The system checks refuse to start without encryption keys, and on a fresh machine the demo makes
    # its own key file first (before anything is encrypted): handle() runs the checks once the keys exist.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="stop after printing the report")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of the demo users")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on")

    def handle(self, *args: Any, **options: Any) -> None:
        validate_password(options["password"])
        try:
            key_file = crypto.create_key_file_if_missing()
        except crypto.KeyConfigError as error:
            raise CommandError(error.message) from None
        if key_file is not None:
            self.stderr.write(crypto.new_key_file_message(key_file))
        self.check()
        # So that `nextsteps demo` alone works on an empty data folder; `make demo` has migrated already.
        call_command("migrate", verbosity=0)
        programme, loaded = load_demo()
        ensure_personas(options["password"])
        with translation.override("nl"):
            report = build_report(programme, spec.REPORT_START, spec.REPORT_END, "nl")
            self.stdout.write(render(report, "md"))
        with translation.override("en"):
            if loaded:
                self.stderr.write(_("The demo programme was loaded."))
            else:
                self.stderr.write(_("The demo programme was already loaded; nothing was added."))
            self.stderr.write(
                _("Sign in at http://%(addr)s/ with password “%(password)s” as one of these users:")
                % {"addr": options["addr"], "password": options["password"]}
            )
            for username, org, role, _language in spec.PERSONAS:
                self.stderr.write(f"  {username:<20} {Role(role).label} ({org})")
            self.stderr.write(
                f"  {spec.OPERATOR[0]:<20} "
                + _("operator of the Django admin at /admin/ (set-up only, no organisation)")
            )
        if not options["no_serve"]:
            call_command("runserver", options["addr"], use_reloader=False)


def validate_password(password: str) -> None:
    """The demo users' password passes the same validators as any other (length, common passwords…)."""
    try:
        password_validation.validate_password(password)
    except ValidationError as error:
        raise CommandError(
            _("The password was refused: %(reasons)s Nothing was changed.")
            % {"reasons": " ".join(error.messages)}
        ) from None
