"""A request that cannot get the database in time: 503 with Retry-After and a message in the user's language,
on pages, in the API and in commands; never a 500 or a traceback."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from nextsteps import busy, manage
from nextsteps.accounts.models import User
from nextsteps.records.models import Person
from tests.apiclient import ApiClient
from tests.importing import translated

pytestmark = pytest.mark.django_db

MESSAGE = "The database is busy. Nothing was saved; please try again in a moment."


def locked(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("database is locked")


def speaking(username: str, language: str) -> None:
    User.objects.filter(username=username).update(language=language)


def person_of(username: str) -> Person:
    user = User.objects.get(username=username)
    return Person.objects.filter(organisation__memberships__user=user).first()  # type: ignore[return-value]


def test_a_page_whose_write_cannot_get_the_database_answers_503_in_the_users_language(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    speaking("caseworker.sa", "ro")
    client = login("caseworker.sa")
    person = person_of("caseworker.sa")
    monkeypatch.setattr("nextsteps.accounts.access.get_or_404", locked)
    answer = client.get(f"/persons/{person.pk}/")
    assert answer.status_code == 503
    assert answer["Retry-After"] == str(busy.RETRY_AFTER)
    page = answer.content.decode()
    assert translated("ro", MESSAGE) in page
    assert '<html lang="ro">' in page


def test_a_lock_error_raised_around_the_view_also_answers_503(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The session is saved by middleware after the view: Django answers that with handler500.
    speaking("caseworker.ijm", "ro")
    client = login("caseworker.ijm")
    client.raise_request_exception = False
    monkeypatch.setattr("django.contrib.sessions.middleware.SessionMiddleware.process_response", locked)
    answer = client.get("/persons/")
    assert answer.status_code == 503
    assert answer["Retry-After"] == str(busy.RETRY_AFTER)
    assert translated("ro", MESSAGE) in answer.content.decode()


def test_other_database_errors_stay_server_errors(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login("caseworker.sa")
    client.raise_request_exception = False

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("no such table: records_person")

    monkeypatch.setattr("nextsteps.accounts.access.get_or_404", broken)
    answer = client.get(f"/persons/{person_of('caseworker.sa').pk}/")
    assert answer.status_code == 500
    assert "Retry-After" not in answer


def test_the_api_answers_503_as_json_in_the_token_users_language(
    api: Callable[[str], ApiClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    speaking("caseworker.ijm", "nl")
    client = api("caseworker.ijm")
    person = person_of("caseworker.ijm")
    monkeypatch.setattr("nextsteps.accounts.access.get_or_404", locked)
    answer = client.patch(f"/api/v1/records/persons/{person.pk}", {"phone": "+40 700 000 000"})
    assert answer.status_code == 503
    assert answer["Content-Type"].startswith("application/json")
    assert answer["Retry-After"] == str(busy.RETRY_AFTER)
    assert json.loads(answer.content) == {"message": translated("nl", MESSAGE)}


def test_postgresqls_lock_timeout_counts_as_busy() -> None:
    class LockNotAvailable(Exception):
        sqlstate = "55P03"

    error = OperationalError("canceling statement due to lock timeout")
    error.__cause__ = LockNotAvailable()
    assert busy.is_busy(error)
    assert not busy.is_busy(OperationalError("could not connect to server"))
    assert not busy.is_busy(ValueError("database is locked"))


@pytest.mark.parametrize(
    ("argv", "environment", "language"),
    [
        (["nextsteps", "import", "--lang", "ro", "persons.csv"], "en_GB.UTF-8", "ro"),
        (["nextsteps", "import", "--lang=nl", "persons.csv"], "ro_RO.UTF-8", "nl"),
        (["nextsteps", "person", "erase", "P-1"], "nl_NL.UTF-8", "nl"),
    ],
)
def test_a_command_that_cannot_get_the_database_prints_one_line_and_fails(
    argv: list[str],
    environment: str,
    language: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", environment)
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr("django.core.management.execute_from_command_line", locked)
    with pytest.raises(SystemExit) as ended:
        manage.main()
    assert ended.value.code == 1
    assert capsys.readouterr().err == translated(language, MESSAGE) + "\n"


def test_a_command_fails_as_before_on_other_database_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(sys, "argv", ["nextsteps", "migrate"])
    monkeypatch.setattr("django.core.management.execute_from_command_line", broken)
    with pytest.raises(OperationalError, match="disk I/O error"):
        manage.main()
