"""Sign-in protection: lockout after repeated failures, and who must use a second factor."""

from __future__ import annotations

import datetime as dt
import ipaddress
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nextsteps.accounts.models import FailedSignIn, Role

# Roles that see person-level data, and the administrator who manages users: all need a second factor.
SECOND_FACTOR_ROLES = {
    Role.COORDINATOR,
    Role.CASEWORKER,
    Role.OUTREACH_WORKER,
    Role.VOLUNTEER_COORDINATOR,
    Role.DATA_PROTECTION_OFFICER,
    Role.ADMINISTRATOR,
}


def needs_second_factor(user: Any) -> bool:
    if not settings.NEXTSTEPS_REQUIRE_2FA or not getattr(user, "is_authenticated", False):
        return False
    from nextsteps.accounts.access import memberships

    # Operators reach the Django admin: set-up of every organisation and its audit trail.
    return user.is_staff or user.is_superuser or any(m.role in SECOND_FACTOR_ROLES for m in memberships(user))


@cache
def _trusted_proxies(setting: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in setting if entry.strip())


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_proxies(tuple(settings.NEXTSTEPS_TRUSTED_PROXIES)))


def client_address(request: HttpRequest | None) -> str | None:
    """The address a sign-in came from, for the per-address lockout.

    REMOTE_ADDR, unless it is one of the trusted proxies (NEXTSTEPS_TRUSTED_PROXIES): then the nearest
    address in X-Forwarded-For that is not itself a trusted proxy. The header is read only from a trusted
    proxy because anyone else can write anything in it, and a lockout keyed on a made-up address locks
    nobody out.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    if not remote or not _is_trusted_proxy(remote):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    # Proxies append the address they received from: read from the right, past our own proxies.
    for address in reversed(forwarded):
        try:
            ipaddress.ip_address(address)
        except ValueError:
            return remote
        if not _is_trusted_proxy(address):
            return address
    return remote


def lockout_window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.NEXTSTEPS_LOCKOUT_MINUTES)


def is_locked(username: str, address: str | None) -> bool:
    recent = FailedSignIn.objects.filter(at__gte=lockout_window_start())
    if recent.filter(username__iexact=username).count() >= settings.NEXTSTEPS_LOCKOUT_ACCOUNT:
        return True
    return bool(address) and recent.filter(address=address).count() >= settings.NEXTSTEPS_LOCKOUT_ADDRESS


def record_failure(username: str, address: str | None) -> None:
    """Keep the failure for the lockout window; rows older than the window count for nothing, so they go
    now (one indexed delete) rather than piling up under a password-guessing run."""
    FailedSignIn.objects.filter(at__lt=lockout_window_start()).delete()
    FailedSignIn.objects.create(username=username[:150], address=address)


LOCKED_MESSAGE = _(
    "Too many failed sign-ins. For your safety, signing in is blocked for %(minutes)s minutes; "
    "ask your administrator if you need help sooner."
)


class LockoutMixin:
    """Refuses for a while after too many failures for an account or an address.

    A locked account gets the same answer whether or not the password is right, so guessing stops paying.
    Mixed into every sign-in form (the app's and the Django admin's), so neither is a way around the other.
    """

    request: HttpRequest | None
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if is_locked(username, address):
            raise forms.ValidationError(
                LOCKED_MESSAGE, code="locked", params={"minutes": settings.NEXTSTEPS_LOCKOUT_MINUTES}
            )
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            record_failure(username, address)
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)  # type: ignore[misc]
        # A successful sign-in clears the account's failures; the address keeps its record.
        FailedSignIn.objects.filter(username__iexact=user.get_username()).delete()


class SignInForm(LockoutMixin, AuthenticationForm):
    """Django's sign-in form with the lockout."""


class AdminSignInForm(LockoutMixin, AdminAuthenticationForm):
    """The Django admin's sign-in form with the same lockout (set as admin.site.login_form in urls.py)."""
