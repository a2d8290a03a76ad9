"""nextsteps demo-code USER: the current authenticator code of a demo persona, for trying the demo
without a phone. Refused outside DEBUG and for anyone who is not a demo persona."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from nextsteps.demo.programme import OPERATOR, PERSONAS


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo user (only with DEBUG=1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if not settings.DEBUG:
            raise CommandError(_("demo-code only works on a development machine (DEBUG=1)."))
        if username not in {p[0] for p in PERSONAS} | {OPERATOR[0]}:
            raise CommandError(_("“%(user)s” is not a demo user.") % {"user": username})
        device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "-pk").first()
        if device is None:
            raise CommandError(
                _("%(user)s has no authenticator yet: sign in once to reach the set-up page, then ask again.")
                % {"user": username}
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
