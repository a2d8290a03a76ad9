"""Admin for set-up and managed lists. Staff record their work in the app's own pages."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nextsteps.audit.admin import AuditedAdmin
from nextsteps.records import models as m

for managed in (
    m.ServiceType,
    m.OutcomeType,
    m.SiteType,
    m.ParticipantGroup,
    m.ClosureReason,
    m.CampaignKind,
):
    admin.site.register(
        managed,
        AuditedAdmin,
        list_display=["code", "label_en", "label_nl", "label_ro", "order", "active"],
        list_editable=["order", "active"],
    )


@admin.register(m.ActivityType)
class ActivityTypeAdmin(AuditedAdmin):
    list_display = ["code", "label_en", "label_nl", "label_ro", "notable", "order", "active"]
    list_editable = ["notable", "order", "active"]


@admin.register(m.ExternalOrganisation)
class ExternalOrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "country"]
    search_fields = ["name"]


@admin.register(m.Campaign)
class CampaignAdmin(AuditedAdmin):
    list_display = ["name", "programme", "start", "end"]
    prepopulated_fields = {"slug": ["name"]}

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Like the campaign form: a kind taken off the list is not given to a campaign.
        if db_field.name == "kind":
            kwargs["queryset"] = m.CampaignKind.objects.filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
