"""Shared by the case-file tests: an open IJM case of the demo, and the personas who work on it."""

from __future__ import annotations

from nextsteps.accounts.models import User
from nextsteps.records import models as m


def ijm_case() -> m.Case:
    """An open IJM case with services: the earliest opened, so that dates in 2021 and 2022 fall inside it."""
    case = m.Case.objects.filter(organisation__slug="ijm-ro", status="open").order_by("opened", "pk").first()
    assert case is not None
    return case


def user(username: str) -> User:
    return User.objects.get(username=username)
