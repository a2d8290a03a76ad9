from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from nextsteps.audit.admin import AuditedAdmin
from nextsteps.programmes.models import Milestone, Organisation, PeriodNarrative, Pillar, Programme


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdmin):
    list_display = ["name", "slug", "start_date"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organisations"]
    inlines = [PillarInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "start_date",
                    "countries",
                    "organisations",
                    "description",
                    "suppression_threshold",
                    "unusual_count",
                    "retention_months_after_closure",
                ]
            },
        ),
        (
            _("IATI publication"),
            {
                "fields": [
                    "iati_identifier",
                    ("iati_reporting_org_ref", "iati_reporting_org_type"),
                    "iati_reporting_org_name",
                    ("iati_sector_vocabulary", "iati_sector_code"),
                ]
            },
        ),
    ]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "kind", "country"]
    list_filter = ["kind", "country"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Milestone)
class MilestoneAdmin(AuditedAdmin):
    list_display = ["date", "programme", "organisation", "__str__"]
    list_filter = ["programme", "organisation"]
    date_hierarchy = "date"


@admin.register(PeriodNarrative)
class PeriodNarrativeAdmin(AuditedAdmin):
    list_display = ["programme", "start", "end", "language"]
