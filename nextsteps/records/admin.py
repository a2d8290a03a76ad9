"""Admin for set-up and managed lists. Staff record their work in the app's own pages."""

from django.contrib import admin

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
