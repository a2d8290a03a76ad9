from django.contrib import admin

from nextsteps.programmes.models import Milestone, Organisation, PeriodNarrative, Pillar, Programme


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "start_date"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organisations"]
    inlines = [PillarInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "country"]
    list_filter = ["kind", "country"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["date", "programme", "organisation", "__str__"]
    list_filter = ["programme", "organisation"]
    date_hierarchy = "date"


@admin.register(PeriodNarrative)
class PeriodNarrativeAdmin(admin.ModelAdmin):
    list_display = ["programme", "start", "end", "language"]
