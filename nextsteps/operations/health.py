"""GET /health/ for the reverse proxy and monitoring: whether the database and the keys answer, nothing more.

It is open to anyone (monitors do not sign in), so it says one word: "ok" (200), or "database" or "keys"
(503). No version, count, path or exception ever reaches the response. Its cost is fixed and small, whatever
the request holds: one indexed one-row query and one encryption of a constant; it reads no parameter, body
or session. A failing check is logged at most once a minute per process, not once per probe.
"""

from __future__ import annotations

import logging
import time

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from nextsteps.privacy import crypto

logger = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 60
_last_logged = {"at": 0.0}
PROBE = "health"


def _database_answers() -> None:
    # A table that every migrated database has: "SELECT 1" alone would pass on an empty file that SQLite
    # creates when the real database is missing.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM django_migrations LIMIT 1")
        cursor.fetchone()


def _keys_answer() -> None:
    if crypto.decrypt(crypto.encrypt(PROBE)) != PROBE:
        raise crypto.UndecryptableValue(PROBE)


def _failure(reason: str, error: Exception) -> HttpResponse:
    now = time.monotonic()
    if now - _last_logged["at"] >= LOG_EVERY_SECONDS:
        _last_logged["at"] = now
        logger.warning("Health check failed (%s): %s: %s", reason, type(error).__name__, error)
    response = HttpResponse(reason, status=503, content_type="text/plain; charset=utf-8")
    # Django's request logger would log every probe of a failing server as an error: logged above instead.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@require_safe
@never_cache
def health(request: HttpRequest) -> HttpResponse:
    # Any failure, whatever it is, is a one-word answer: a 500 page or traceback would say more.
    try:
        _database_answers()
    except Exception as error:
        return _failure("database", error)
    try:
        _keys_answer()
    except Exception as error:
        return _failure("keys", error)
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
