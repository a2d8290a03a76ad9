from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation


class UserLanguageMiddleware:
    """Signed-in users see everything in the language they chose, whatever their browser says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language() or "en")
        return response


class TwoFactorMiddleware:
    """Roles that see person-level data reach no page before their second factor is verified."""

    # Pages a signed-in user needs before the second factor (and the assets those pages use).
    OPEN_PREFIXES = ("/accounts/", "/static/")
    # The JSON API ignores sessions: a call is authenticated by its bearer token alone, and one without a
    # valid token is answered 401 in JSON, not sent to a page for people. Tokens are made on the API tokens
    # page, which is not open before the second factor, so a token never bypasses it.
    TOKEN_PREFIXES = ("/api/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from nextsteps.accounts.security import needs_second_factor

        user = getattr(request, "user", None)
        if (
            user is not None
            and needs_second_factor(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(self.OPEN_PREFIXES + self.TOKEN_PREFIXES)
        ):
            return redirect(
                f"{reverse('accounts:2fa-verify')}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """The Content-Security-Policy (Django 5.2 has none of its own) and a strict permissions policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response
