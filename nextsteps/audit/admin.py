from django.contrib import admin
from django.http import HttpRequest

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
