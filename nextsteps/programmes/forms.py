"""Forms of the coordinator's planning pages: period narratives (targets and figures: indicators/forms.py)."""

from __future__ import annotations

from django import forms

from nextsteps.programmes.models import PeriodNarrative
from nextsteps.widgets import DateInput


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = PeriodNarrative
        fields = ["start", "end", "language", "text"]
        widgets = {"start": DateInput(), "end": DateInput()}
