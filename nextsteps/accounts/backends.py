"""Django's sign-in backend, with the user every request loads read by a statement compiled once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends

from nextsteps.accounts.models import User
from nextsteps.kept_queries import KeptQuery

USER_BY_KEY = KeptQuery(User, lambda key: User._default_manager.filter(pk=key))


class ModelBackend(backends.ModelBackend):
    """Signing in (passwords, permissions) is Django's. Only `get_user`, which every request of a signed-in
    user calls with the key kept in the session, reads through a kept query: the same row, the same check
    that the user may still sign in (an account made inactive is signed out on its next request)."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            key = int(user_id)
        except (TypeError, ValueError):
            return None
        user = next(iter(USER_BY_KEY.fetch(key)), None)
        return user if user is not None and self.user_can_authenticate(user) else None
