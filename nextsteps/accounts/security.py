"""Sign-in protection: lockout after repeated failures, and who must use a second factor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
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

    return user.is_staff or any(m.role in SECOND_FACTOR_ROLES for m in memberships(user))


def client_address(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def is_locked(username: str, address: str | None) -> bool:
    since = timezone.now() - dt.timedelta(minutes=settings.NEXTSTEPS_LOCKOUT_MINUTES)
    recent = FailedSignIn.objects.filter(at__gte=since)
    if recent.filter(username__iexact=username).count() >= settings.NEXTSTEPS_LOCKOUT_ACCOUNT:
        return True
    return bool(address) and recent.filter(address=address).count() >= settings.NEXTSTEPS_LOCKOUT_ADDRESS


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing for a while after too many failures for an account or an address.

    A locked account gets the same answer whether or not the password is right, so guessing stops paying.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed sign-ins. For your safety, signing in is blocked for %(minutes)s minutes; "
            "ask your administrator if you need help sooner."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if is_locked(username, address):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.NEXTSTEPS_LOCKOUT_MINUTES},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            FailedSignIn.objects.create(username=username[:150], address=address)
            raise

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        # A successful sign-in clears the account's failures; the address keeps its record.
        FailedSignIn.objects.filter(username__iexact=user.get_username()).delete()
