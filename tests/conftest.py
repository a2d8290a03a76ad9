from __future__ import annotations

from typing import Any

import pytest

from nextsteps.demo.load import load_demo
from nextsteps.programmes.models import Programme


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Every test database holds the demo programme: tests that build their own data use other programmes."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def demo(db: Any) -> Programme:
    return Programme.objects.get(slug="next-steps")
