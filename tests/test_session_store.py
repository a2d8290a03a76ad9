"""The session store (nextsteps/accounts/sessions.py): Django's database sessions, read with one statement
written out in SQL. It must read exactly what Django's own store reads: a session by its key while its expiry
date is still to come, and nothing for an unknown or expired key, whose key is then forgotten."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nextsteps.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def stored(data: dict[str, object]) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    assert store.session_key is not None
    return store.session_key


def test_the_app_uses_it() -> None:
    assert settings.SESSION_ENGINE == "nextsteps.accounts.sessions"


def test_a_session_reads_what_djangos_own_store_reads_in_one_query() -> None:
    key = stored({"language": "ro", "number": 7, "filters": {"persons": "q=&sort=code"}})
    with CaptureQueriesContext(connection) as captured:
        data = SessionStore(key).load()
    assert (
        data
        == db.SessionStore(key).load()
        == {
            "language": "ro",
            "number": 7,
            "filters": {"persons": "q=&sort=code"},
        }
    )
    assert len(captured) == 1 and "django_session" in captured[0]["sql"]


@pytest.mark.parametrize("seconds", [-1, 0])
def test_an_expired_session_reads_nothing_and_its_key_is_forgotten(seconds: int) -> None:
    key = stored({"language": "ro"})
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(seconds=seconds))
    store = SessionStore(key)
    assert store.load() == {} == db.SessionStore(key).load()
    assert store.session_key is None


def test_a_session_about_to_expire_is_still_read() -> None:
    key = stored({"language": "nl"})
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(seconds=30))
    assert SessionStore(key).load() == {"language": "nl"}


def test_an_unknown_key_reads_nothing_and_saving_makes_a_new_one() -> None:
    stored({"language": "ro"})
    store = SessionStore("x" * 32)
    assert store.load() == {}
    assert store.session_key is None
    store["language"] = "en"
    store.save()
    assert store.session_key not in (None, "x" * 32)
    assert not Session.objects.filter(session_key="x" * 32).exists()


def test_a_signed_in_client_stays_signed_in_until_its_session_expires(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    assert client.get(reverse("records:person-list")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(reverse("records:person-list")).status_code == 302
