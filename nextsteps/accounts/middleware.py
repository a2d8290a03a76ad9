import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django_otp import middleware as otp_middleware
from django_otp.models import Device

from nextsteps.kept_queries import KeptQuery


class SessionRenewalMiddleware:
    """Renew a signed-in session's idle timeout at most once a minute instead of on every request.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) costs a database write per page view,
    and under load those writes queue behind each other (SQLite has one writer at a time). Renewing when the
    last renewal is a minute old ends an idle session between 29 and 30 minutes after its last request
    instead of at exactly 30, which is what an idle timeout is for.
    """

    KEY = "_renewed"
    EVERY_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= self.EVERY_SECONDS:
                # Marks the session modified, so SessionMiddleware saves it with a new expiry date.
                session[self.KEY] = now
        return response


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's middleware (a session is verified while the device it was verified with still exists, is
    confirmed and belongs to the user), with that device, which every request reads, read by a statement
    compiled once per kind of device instead of through the ORM on every request."""

    DEVICES: dict[type[Device], KeptQuery[Any]] = {}

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        # The persistent id is "app_label.model_name/key", as Device.from_persistent_id reads it; one that
        # does not parse or names no kind of device verifies nothing.
        try:
            label, key = self._normalize_persistent_id(persistent_id).rsplit("/", 1)
            model = apps.get_model(label)
            number = int(key)
        except (ValueError, LookupError):
            return None
        if not issubclass(model, Device):
            return None
        kept = self.DEVICES.get(model)
        if kept is None:
            kept = self.DEVICES[model] = KeptQuery(model, lambda key: model.objects.filter(id=key))
        return next(iter(kept.fetch(number)), None)


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

    # Pages a signed-in user needs before the second factor (and the assets those pages use), each named:
    # a new page under /accounts/ (changing the password, say) waits for the second factor like any other.
    OPEN_PREFIXES = (
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/2fa/",
        "/accounts/language/",
        "/static/",
    )
    # The JSON API ignores sessions: a call is authenticated by its bearer token alone, and one without a
    # valid token is answered 401 in JSON, not sent to a page for people. Tokens are made on the API tokens
    # page, which is not open before the second factor, so a token never bypasses it.
    TOKEN_PREFIXES = ("/api/",)
    # Answered to anyone without reading the session (nextsteps/operations/health.py).
    PUBLIC_PATHS = ("/health/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from nextsteps.accounts.security import needs_second_factor

        if request.path in self.PUBLIC_PATHS:
            return self.get_response(request)
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


class PasswordChangeMiddleware:
    """A user signed in with a one-time password (set by an administrator or a command) reaches no page but
    the password page until they chose their own. The second factor comes first (TwoFactorMiddleware runs
    before this one); the JSON API, authenticated by its tokens alone, is not concerned."""

    OPEN_PREFIXES = (
        "/accounts/password/",
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/2fa/",
        "/accounts/language/",
        "/static/",
        "/api/",
        "/health/",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            return redirect(reverse("accounts:password"))
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
