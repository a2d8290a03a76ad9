"""Admin for set-up and managed lists. Staff record their work in the app's own pages."""

from django.contrib import admin

from nextsteps.records import models as m

for managed in (m.ServiceType, m.OutcomeType, m.SiteType, m.ParticipantGroup):
    admin.site.register(
        managed,
        list_display=["code", "label_en", "label_nl", "label_ro", "order", "active"],
        list_editable=["order", "active"],
    )


@admin.register(m.ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "label_en", "label_nl", "label_ro", "notable", "order", "active"]
    list_editable = ["notable", "order", "active"]


@admin.register(m.ExternalOrganisation)
class ExternalOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country"]
    search_fields = ["name"]


@admin.register(m.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "start", "end"]
    prepopulated_fields = {"slug": ["name"]}
