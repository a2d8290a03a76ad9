"""A request that cannot get the database's write lock in time is told to try again, never shown a 500.

SQLite has one writer at a time. Every transaction takes the write lock when it begins and waits for it up
to NEXTSTEPS_SQLITE_TIMEOUT seconds (settings.py); a write that still cannot get it raises "database is
locked". PostgreSQL raises the same kind of error for a lock it gave up waiting for, a deadlock and a
serialization failure. In each case the transaction was rolled back, so nothing of the request was saved
and the same request may simply be sent again.

One answer for every path: `busy_response` (503 with Retry-After; a page in the user's language, or JSON
under /api/). It is reached from three places, because Django routes exceptions three ways:
`BusyMiddleware` for exceptions raised by views, `server_error` (the project's handler500) for those raised
by middleware around them (the session saved after the view, the sign-in's user loaded before it), and the
API's exception handler (nextsteps/api/errors.py), since django-ninja handles its operations' exceptions
itself. Commands say the same in one line (nextsteps/manage.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

# Seconds a client is asked to wait before sending the request again.
RETRY_AFTER = 5
# SQLite's messages for SQLITE_BUSY.
SQLITE_BUSY = ("database is locked", "database is busy")
# PostgreSQL: lock_not_available (a lock_timeout ran out), serialization_failure, deadlock_detected.
POSTGRESQL_RETRY = {"55P03", "40001", "40P01"}


def is_busy(error: BaseException | None) -> bool:
    """Whether an error means the database could not take the write in time, so trying again may work."""
    if not isinstance(error, OperationalError):
        return False
    if any(text in str(error).lower() for text in SQLITE_BUSY):
        return True
    return getattr(error.__cause__, "sqlstate", None) in POSTGRESQL_RETRY


def message() -> str:
    return _("The database is busy. Nothing was saved; please try again in a moment.")


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for the API, otherwise a page rendered without touching the database (no
    context processors: they read the user's memberships)."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": message()}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message()}), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


class BusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_response(request) if is_busy(exception) else None


def server_error(request: HttpRequest, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so sys.exc_info() is that exception."""
    if is_busy(sys.exc_info()[1]):
        return busy_response(request)
    return defaults.server_error(request, template_name)


def command_message(argv: list[str]) -> str:
    """The one line a command prints, in the language of its --lang option or else of the environment."""
    from django.utils import translation

    from nextsteps.i18n import LANGUAGE_CODES
    from nextsteps.imports.cli import environment_language

    lang = environment_language()
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            arg = f"--lang={argv[index + 1]}"
        if arg.startswith("--lang=") and arg[len("--lang=") :] in LANGUAGE_CODES:
            lang = arg[len("--lang=") :]
    with translation.override(lang):
        return message()
