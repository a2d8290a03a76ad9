"""Token authentication for the API: `Authorization: Bearer TOKEN`, and nothing else.

A browser's session cookie never authenticates an API call, so a page on another site cannot make a
signed-in browser call the API on its user's behalf; that is also why the API needs no CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer

from nextsteps.accounts.models import User
from nextsteps.api.actions import user_for_token


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> User | None:
        # ninja's own version logs the whole header when its scheme is not Bearer (with DEBUG on): that
        # would write passwords sent as Basic credentials into the log.
        scheme, _space, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token.strip())
        if user is None:
            return None
        # Whatever the session middleware found, the API acts as the token's user, in their language.
        request.user = user
        language = user.language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return user


def token_user(request: HttpRequest) -> Any:
    """The user the request's token belongs to (set by TokenAuth before any operation runs)."""
    return request.auth  # type: ignore[attr-defined]
