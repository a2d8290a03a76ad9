from django.contrib import admin

from nextsteps.audit.admin import AuditedAdmin
from nextsteps.indicators.models import Indicator, ManualValue, Target


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ["code", "pillar", "source", "measure", "unit"]
    list_filter = ["pillar__programme", "pillar", "source", "measure"]
    list_select_related = ["pillar"]
    inlines = [TargetInline]


@admin.register(ManualValue)
class ManualValueAdmin(AuditedAdmin):
    list_display = ["indicator", "start", "end", "value"]
