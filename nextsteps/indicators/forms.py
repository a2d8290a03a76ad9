"""Forms of the coordinator's pages for targets, baselines and hand-entered figures."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nextsteps.indicators.engine import STANDARD_CELLS
from nextsteps.indicators.models import ManualValue, Target
from nextsteps.widgets import DateInput

CELL_LABELS = {
    "": _("total"),
    "woman": _("women"),
    "girl": _("girls"),
    "man": _("men"),
    "boy": _("boys"),
}


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["start", "end", "cell", "baseline", "target"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cells = ("", *STANDARD_CELLS) if self.instance.indicator.sex_age_breakdown else ("",)
        self.fields["cell"] = forms.ChoiceField(
            label=_("breakdown cell"), choices=[(c, CELL_LABELS[c]) for c in cells], required=False
        )
        for name in ("baseline", "target"):
            self.fields[name].widget.attrs["min"] = "0"


class ManualValueForm(forms.ModelForm):
    class Meta:
        model = ManualValue
        fields = ["start", "end", "value"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].widget.attrs["min"] = "0"
