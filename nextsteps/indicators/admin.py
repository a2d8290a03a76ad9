from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

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

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name.startswith("sentence_"):
            # The plural syntax is not guessable; say it where the sentences are written.
            field.help_text = _(
                "Figures: {value}, {women}, {girls}, {men}, {boys}, {unknown}. With the words in each plural "
                "form, separated by | and with # for the figure: {value|# survivor was|# survivors were}. "
                "Dutch and English give two forms (1; other numbers), Romanian three (1; 0, 2 to 19 and "
                "numbers ending in 01 to 19; 20 and more, with “de”)."
            )
        return field


@admin.register(ManualValue)
class ManualValueAdmin(AuditedAdmin):
    list_display = ["indicator", "start", "end", "value"]
