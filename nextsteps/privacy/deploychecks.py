"""Checks of `nextsteps check --deploy`: settings that are fine on a laptop and dangerous on a server.

Django's own deploy checks do not know that our development SECRET_KEY is public (it is in settings.py), nor
that the second sign-in step is what stands between a guessed password and survivors' records.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

PUBLIC_SECRET_KEY = "privacy.E007"
SECOND_FACTOR_OFF = "privacy.W002"


def _public_secret_key_error() -> Error:
    return Error(
        _(
            "SECRET_KEY is the public development key: anyone can forge sessions and password-reset links "
            "with it."
        ),
        hint=_("Set SECRET_KEY in the environment to a long random value (see the README)."),
        id=PUBLIC_SECRET_KEY,
    )


@register(Tags.security, deploy=True)
def check_deploy_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        messages.append(_public_secret_key_error())
    if not settings.NEXTSTEPS_REQUIRE_2FA:
        messages.append(
            Warning(
                _(
                    "The second sign-in step is off (NEXTSTEPS_REQUIRE_2FA=0): a guessed or leaked password "
                    "alone opens survivors' records."
                ),
                hint=_("Remove NEXTSTEPS_REQUIRE_2FA from the environment, or set it to 1."),
                id=SECOND_FACTOR_OFF,
            )
        )
    return messages


def refuse_to_serve_with_the_public_key() -> None:
    """For WSGI servers, which run no system checks: never serve on the public key unless DEBUG=1.

    Django's development server (`nextsteps runserver`, and `nextsteps demo`, which serves with it) loads
    this module too. It is exempt: it serves one machine, and a laptop demo needs no SECRET_KEY. It is
    recognised by its command module, which a production server (gunicorn, uWSGI, mod_wsgi) never imports.
    """
    if "django.core.management.commands.runserver" in sys.modules:
        return
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY and not settings.DEBUG:
        error = _public_secret_key_error()
        raise ImproperlyConfigured(f"{error.id}: {error.msg} {error.hint}")
