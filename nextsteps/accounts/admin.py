"""Users and their roles in the Django admin, for set-up by staff. Administrators of an organisation use the
Team page (nextsteps/accounts/team.py) instead, which keeps to their own organisations."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from nextsteps.accounts.models import Membership, User
from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "language", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "memberships__organisation", "memberships__role"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Next Steps"), {"fields": ["language"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "language", "password1", "password2"]}),
    ]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = AuditEntry.Action.CHANGE if change else AuditEntry.Action.CREATE
        log(action, obj, user=request.user, fields=sorted(form.changed_data))

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        # The admin's own save, then one audit entry per role given or taken away.
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk is not None:
                log(AuditEntry.Action.DELETE, inline_form.instance, user=request.user)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            log(AuditEntry.Action.CREATE, obj, user=request.user, fields=["user", "organisation", "role"])
        for obj, fields in formset.changed_objects:
            log(AuditEntry.Action.CHANGE, obj, user=request.user, fields=fields)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["organisation", "role"]
    search_fields = ["user__username", "organisation__name"]
