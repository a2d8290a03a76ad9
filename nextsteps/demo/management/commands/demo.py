"""nextsteps demo: load the demo programme, print its Dutch report, and serve the app."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.demo import programme as spec
from nextsteps.demo.load import load_demo
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
        key_file = crypto.create_key_file_if_missing()
        if key_file is not None:
            self.stderr.write(crypto.new_key_file_message(key_file))
        self.check()
        # So that `nextsteps demo` alone works on an empty data folder; `make demo` has migrated already.
        call_command("migrate", verbosity=0)
        programme, loaded = load_demo()
        self.ensure_admin(options["password"])
        with translation.override("nl"):
            report = build_report(programme, spec.REPORT_START, spec.REPORT_END, "nl")
            self.stdout.write(render(report, "md"))
        with translation.override("en"):
            if loaded:
                self.stderr.write(_("The demo programme was loaded."))
            else:
                self.stderr.write(_("The demo programme was already loaded; nothing was added."))
            self.stderr.write(
                _("Sign in to the admin at http://%(addr)s/admin/ as “admin” with password “%(password)s”.")
                % {"addr": options["addr"], "password": options["password"]}
            )
        if not options["no_serve"]:
            call_command("runserver", options["addr"], use_reloader=False)

    def ensure_admin(self, password: str) -> None:
        user_model = get_user_model()
        user, _created = user_model.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        user.set_password(password)
        user.save()
