"""GET /health/: one word for the proxy and monitoring, whether the database and the keys answer; open to anyone,
revealing nothing else, cheap whatever the request holds, and not a log line per probe."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client, override_settings

from nextsteps.accounts.models import User
from nextsteps.operations import health

URL = "/health/"


@pytest.fixture(autouse=True)
def _log_again() -> None:
    health._last_logged["at"] = -float(health.LOG_EVERY_SECONDS)


def test_it_answers_ok_to_anyone_without_signing_in(db: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response.headers


def test_it_says_database_and_nothing_more_when_the_database_does_not_answer(db: Any) -> None:
    failure = OperationalError("unable to open database file /var/lib/nextsteps/nextsteps.sqlite3")
    with mock.patch.object(type(connections["default"]), "cursor", side_effect=failure):
        response = Client().get(URL)
    assert response.status_code == 503
    assert response.content == b"database"


def test_it_says_keys_and_nothing_more_when_the_keys_do_not_answer(db: Any, tmp_path: Path) -> None:
    with override_settings(NEXTSTEPS_KEYS="", NEXTSTEPS_KEY_FILE=str(tmp_path / "keys")):
        response = Client().get(URL)
    assert response.status_code == 503
    assert response.content == b"keys"


def test_a_failing_check_is_logged_once_a_minute_not_per_probe(db: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    failure = OperationalError("database is locked")
    with mock.patch.object(type(connections["default"]), "cursor", side_effect=failure):
        for _probe in range(5):
            assert Client().get(URL).status_code == 503
    records = [(r.name, r.levelname, r.getMessage()) for r in caplog.records]
    assert records == [
        (
            "nextsteps.operations.health",
            "WARNING",
            "Health check failed (database): OperationalError: database is locked",
        )
    ]


def test_it_does_one_small_query_whatever_the_request_holds(db: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        response = Client().get(URL, {"programme": "next-steps", "from": "2000-01-01", "format": "pdf"})
    assert response.content == b"ok"
    with django_assert_num_queries(0):
        assert Client().post(URL, {"a": "b" * 10_000}).status_code == 405
    assert Client().head(URL).status_code == 200


def test_a_user_before_the_second_step_is_answered_not_sent_to_it(db: Any) -> None:
    client = Client()
    client.force_login(User.objects.get(username="caseworker.sa"))
    assert client.get("/persons/").status_code == 302
    response = client.get(URL)
    assert (response.status_code, response.content) == (200, b"ok")


@override_settings(SECURE_SSL_REDIRECT=True)
def test_it_answers_over_plain_http_while_the_pages_are_redirected_to_https(db: Any) -> None:
    assert Client().get("/accounts/login/").status_code == 301
    response = Client().get(URL)
    assert (response.status_code, response.content) == (200, b"ok")
