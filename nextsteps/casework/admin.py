"""The need areas are set-up (a managed list); the case files themselves are never in the admin."""

from django.contrib import admin

from nextsteps.audit.admin import AuditedAdmin
from nextsteps.casework.models import NeedArea

admin.site.register(
    NeedArea,
    AuditedAdmin,
    list_display=["code", "label_en", "label_nl", "label_ro", "order", "active"],
    list_editable=["order", "active"],
)
