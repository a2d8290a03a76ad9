from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "acting_organisation", "organisation", "action", "model", "object_pk"]
    list_filter = ["action", "model", "organisation"]
    date_hierarchy = "at"

    # The trail is evidence: nobody edits or deletes it through the app.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Set-up changed in the Django admin (thresholds, retention, organisations, indicators, targets) is
    written to the audit trail like changes made through the app: who, when, which fields, never values.
    Inline rows (a programme's pillars, an indicator's targets) get entries of their own.

    The entries name the organisation the administrator acted for. An entry about an organisation does not
    name it as the record's organisation: audit entries protect the organisations they name from deletion,
    and a wrongly added organisation must stay removable."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = AuditEntry.Action.CHANGE if change else AuditEntry.Action.CREATE
        log(action, obj, user=request.user, fields=form.changed_data)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        # Before deleting: the entry needs the primary key, which deletion clears.
        log(AuditEntry.Action.DELETE, obj, user=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            log(AuditEntry.Action.DELETE, obj, user=request.user)
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseFormSet, change: bool) -> None:
        for deleted in getattr(formset, "deleted_forms", []):
            if deleted.instance.pk is not None:
                log(AuditEntry.Action.DELETE, deleted.instance, user=request.user)
        super().save_formset(request, form, formset, change)
        for obj in getattr(formset, "new_objects", []):
            log(AuditEntry.Action.CREATE, obj, user=request.user)
        for obj, fields in getattr(formset, "changed_objects", []):
            log(AuditEntry.Action.CHANGE, obj, user=request.user, fields=fields)
