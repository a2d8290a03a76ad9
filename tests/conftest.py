from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from nextsteps.accounts.models import User
from nextsteps.demo.load import ensure_personas, load_demo
from nextsteps.privacy import crypto
from nextsteps.programmes.models import Programme
from tests import keys

# The `api` fixture: an API client acting as a demo persona, with a token of its own; the live server and
# the browser that the browser tests share.
pytest_plugins = ["tests.apiclient", "tests.browser"]


def pytest_configure(config: pytest.Config) -> None:
    """Test keys replace whatever the environment holds, before anything is encrypted.

    Settings read NEXTSTEPS_KEYS at import and the crypto module reads settings on first use, so setting
    them here (after pytest-django configured Django, before any test runs) is what every test sees.
    """
    # The test client speaks plain HTTP; the redirect to HTTPS is checked by test_sign_in's deploy check.
    settings.SECURE_SSL_REDIRECT = False
    settings.NEXTSTEPS_KEYS = keys.CURRENT
    settings.NEXTSTEPS_KEY_FILE = ""
    settings.NEXTSTEPS_SEARCH_KEY = keys.SEARCH
    crypto.reset()


PASSWORD = "test-persona-password"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Every test database holds the demo programme and its personas: tests that build their own data use
    other programmes."""
    # Strong password hashing is the point in production and only slowness in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock():
        load_demo()
        ensure_personas(PASSWORD)


@pytest.fixture
def demo(db: Any) -> Programme:
    return Programme.objects.get(slug="next-steps")


@pytest.fixture
def login(db: Any) -> Callable[[str], Client]:
    """A client signed in as one of the demo personas (coordinator, caseworker.sa, viewer, …)."""

    def sign_in(username: str) -> Client:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        # As if the persona had also passed the second sign-in step (tests of that step sign in themselves).
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="test", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language; a request in another one must not leak into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
