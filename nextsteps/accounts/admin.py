"""Accounts in the Django admin: for operators to look at, never to change.

Users and their roles change only through the audited actions (nextsteps/accounts/actions.py): the Team
page, where an organisation's administrators manage their own people, and `nextsteps user` on the server,
which also makes operators (`user add NAME --operator`). The admin shows each account's roles read-only and
offers no way to give one, to set a password, or to make someone staff or superuser. Groups, permissions
and second-factor devices are not in the admin either: permissions decide nothing in the app, and a
second factor is reset through the Team page or `nextsteps user reset-2fa`.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from nextsteps.accounts.models import User
from nextsteps.audit.admin import ReadOnlyAdmin

for unwanted in (Group, TOTPDevice, StaticDevice):
    if admin.site.is_registered(unwanted):
        admin.site.unregister(unwanted)


def _password_change(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    # The app's password page, which audits the change; the admin's own would not.
    return redirect("accounts:password")


admin.site.password_change = _password_change  # type: ignore[method-assign, assignment]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin, DjangoUserAdmin):  # type: ignore[misc]
    list_display = ["username", "language", "is_active", "is_staff", "roles", "last_login"]
    list_filter = ["is_active", "is_staff", "memberships__organisation", "memberships__role"]
    fieldsets = [
        (None, {"fields": ["username", "language", "is_active", "is_staff", "is_superuser"]}),
        (_("Roles"), {"fields": ["roles"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["roles"]

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(
            f"{m.get_role_display()} ({m.organisation})"
            for m in obj.memberships.select_related("organisation").order_by("organisation__name", "role")
        )
