"""Signing in: lockout after repeated failures per account and per address, sessions that expire, headers."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nextsteps.accounts.middleware import SessionRenewalMiddleware
from nextsteps.accounts.models import FailedSignIn
from tests import keys

pytestmark = pytest.mark.django_db
PASSWORD = "test-persona-password"


def attempt(username: str, password: str, address: str = "10.0.0.1") -> object:
    return Client(REMOTE_ADDR=address).post(
        reverse("accounts:login"), {"username": username, "password": password}
    )


def test_an_account_is_locked_after_five_failures_even_for_the_right_password() -> None:
    for _ in range(settings.NEXTSTEPS_LOCKOUT_ACCOUNT):
        assert attempt("viewer", "wrong-password").status_code == 200  # type: ignore[attr-defined]
    response = attempt("viewer", PASSWORD)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "Too many failed sign-ins" in response.content.decode()  # type: ignore[attr-defined]


def test_a_successful_sign_in_clears_the_accounts_failures() -> None:
    attempt("prevention.dorcas", "wrong-password")
    assert attempt("prevention.dorcas", PASSWORD).status_code == 302  # type: ignore[attr-defined]
    assert not FailedSignIn.objects.filter(username="prevention.dorcas").exists()


def test_an_address_is_locked_after_many_failures_across_accounts() -> None:
    for i in range(settings.NEXTSTEPS_LOCKOUT_ADDRESS):
        attempt(f"guess{i}", "x", address="10.9.9.9")
    assert "Too many failed sign-ins" in attempt("viewer", PASSWORD, address="10.9.9.9").content.decode()  # type: ignore[attr-defined]
    assert attempt("viewer", PASSWORD, address="10.9.9.8").status_code == 302  # type: ignore[attr-defined]


def test_forwarded_for_is_ignored_from_an_address_that_is_not_a_trusted_proxy(settings: object) -> None:
    settings.NEXTSTEPS_TRUSTED_PROXIES = ["10.0.0.1"]  # type: ignore[attr-defined]
    Client(REMOTE_ADDR="10.5.5.5", HTTP_X_FORWARDED_FOR="192.0.2.44").post(
        reverse("accounts:login"), {"username": "viewer", "password": "wrong"}
    )
    assert FailedSignIn.objects.get(username="viewer").address == "10.5.5.5"


def test_behind_a_trusted_proxy_the_client_address_comes_from_forwarded_for(settings: object) -> None:
    settings.NEXTSTEPS_TRUSTED_PROXIES = ["10.0.0.0/8"]  # type: ignore[attr-defined]
    for i in range(settings.NEXTSTEPS_LOCKOUT_ADDRESS):  # type: ignore[attr-defined]
        # The client can prepend anything; the proxies' own hops (10.x) are skipped from the right.
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 192.0.2.44, 10.1.1.1").post(
            reverse("accounts:login"), {"username": f"guess{i}", "password": "x"}
        )
    assert set(FailedSignIn.objects.values_list("address", flat=True)) == {"192.0.2.44"}
    locked = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.44").post(
        reverse("accounts:login"), {"username": "viewer", "password": PASSWORD}
    )
    assert "Too many failed sign-ins" in locked.content.decode()
    # Another client behind the same proxy is not locked out with it.
    other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.45").post(
        reverse("accounts:login"), {"username": "viewer", "password": PASSWORD}
    )
    assert other.status_code == 302


def test_an_invalid_trusted_proxy_setting_stops_the_app_with_a_clear_message(tmp_path: Path) -> None:
    env = {**os.environ, "DEBUG": "1", "NEXTSTEPS_TRUSTED_PROXIES": "10.0.0.1,proxy.local"}
    env["NEXTSTEPS_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "nextsteps.manage", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "NEXTSTEPS_TRUSTED_PROXIES: 'proxy.local' is not an address" in result.stderr


def test_recording_a_failure_prunes_failures_older_than_the_lockout_window() -> None:
    old = timezone.now() - dt.timedelta(minutes=settings.NEXTSTEPS_LOCKOUT_MINUTES + 1)
    stale = FailedSignIn.objects.create(username="someone", address="10.3.3.3")
    FailedSignIn.objects.filter(pk=stale.pk).update(at=old)
    recent = FailedSignIn.objects.create(username="someone", address="10.3.3.3")
    attempt("viewer", "wrong-password")
    assert not FailedSignIn.objects.filter(pk=stale.pk).exists()
    assert FailedSignIn.objects.filter(pk=recent.pk).exists()
    assert FailedSignIn.objects.filter(username="viewer").count() == 1


def stored_expiry(client: Client) -> object:
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_sessions_end_after_thirty_minutes_without_a_request(login: Callable[[str], Client]) -> None:
    from django.contrib.sessions.models import Session

    client = login("coordinator")
    assert client.get(reverse("home")).status_code == 200
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(reverse("home")).status_code == 302


def test_a_request_renews_the_idle_timeout_at_most_once_a_minute(login: Callable[[str], Client]) -> None:
    client = login("coordinator")
    client.get(reverse("home"))
    renewed = stored_expiry(client)
    # Within the minute: no write, the expiry stays.
    client.get(reverse("home"))
    assert stored_expiry(client) == renewed
    # A minute after the last renewal, the next request moves the expiry on.
    session = client.session
    session[SessionRenewalMiddleware.KEY] = int(time.time()) - SessionRenewalMiddleware.EVERY_SECONDS
    session.save()
    before = stored_expiry(client)
    client.get(reverse("home"))
    assert stored_expiry(client) > before  # type: ignore[operator]


def test_every_page_carries_a_strict_content_security_policy(login: object) -> None:
    response = Client().get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert (
        "default-src 'self'" in policy and "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    )
    assert response["X-Frame-Options"] == "DENY"


def test_weak_passwords_are_refused(login: object) -> None:
    client = login("viewer")  # type: ignore[operator]
    response = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "nextsteps.example.org",
        "NEXTSTEPS_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "NEXTSTEPS_KEYS": keys.CURRENT,
        "NEXTSTEPS_SEARCH_KEY": keys.SEARCH,
    }
    env.pop("NEXTSTEPS_HTTPS", None)
    result = subprocess.run(
        [sys.executable, "-m", "nextsteps.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
