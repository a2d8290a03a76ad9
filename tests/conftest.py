from __future__ import annotations

from typing import Any

import pytest

from nextsteps.demo.load import load_demo
from nextsteps.privacy import crypto
from nextsteps.programmes.models import Programme
from tests import keys


def pytest_configure(config: pytest.Config) -> None:
    """Test keys replace whatever the environment holds, before anything is encrypted.

    Settings read NEXTSTEPS_KEYS at import and the crypto module reads settings on first use, so setting
    them here (after pytest-django configured Django, before any test runs) is what every test sees.
    """
    from django.conf import settings

    settings.NEXTSTEPS_KEYS = keys.CURRENT
    settings.NEXTSTEPS_KEY_FILE = ""
    settings.NEXTSTEPS_SEARCH_KEY = keys.SEARCH
    crypto.reset()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Every test database holds the demo programme: tests that build their own data use other programmes."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def demo(db: Any) -> Programme:
    return Programme.objects.get(slug="next-steps")
