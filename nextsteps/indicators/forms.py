"""Forms of the coordinator's pages for targets, baselines, hand-entered figures and counting rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from nextsteps.indicators.engine import STANDARD_CELLS
from nextsteps.indicators.models import Indicator, ManualValue, Target
from nextsteps.indicators.sources import SOURCE_CHOICES, SOURCES
from nextsteps.records import versions
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


FILTER_PREFIX = "filter_"
SURVIVOR_CHOICES = [
    ("", _("everyone")),
    ("true", _("only survivors (identified or presumed)")),
    ("false", _("only persons who are not survivors")),
]


class IndicatorRuleForm(forms.Form):
    """An indicator's counting rule as form fields: which records, what is counted, and one field per filter
    of those records (choices from the registry and the managed lists, never raw JSON). The rule itself is
    checked by Indicator.clean, as in the admin.

    The filter fields are those of one source, named in `shown_source`: when the source changes, the page
    shows the new source's filters before anything is saved, rather than saving a rule without them."""

    source = forms.ChoiceField(label=_("records counted"), choices=SOURCE_CHOICES)
    measure = forms.ChoiceField(
        label=_("what is counted"),
        choices=[
            (value, label) for value, label in Indicator.Measure.choices if value != Indicator.Measure.MANUAL
        ],
    )
    shown_source = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"source": indicator.source, "measure": indicator.measure, "shown_source": indicator.source},
        )
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.source_changed = False
        self.fields["version"] = versions.VersionField(initial=indicator.version)
        asked = self.data.get("source") if self.is_bound else None
        self.filter_source = SOURCES.get(asked or "") or SOURCES.get(indicator.source)
        shown = (self.data.get("shown_source") if self.is_bound else None) or indicator.source
        # Values of the rule as saved, when the fields shown are those of its own source.
        saved = indicator.filters if isinstance(indicator.filters, dict) else {}
        if self.filter_source is None:
            return
        self.fields["shown_source"].initial = self.filter_source.key
        if self.is_bound:
            # The page shown next has this source's filters, whatever source it showed before.
            data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
            data["shown_source"] = self.filter_source.key
            self.data = data
        self.source_changed = self.is_bound and shown != self.filter_source.key
        programme_id = indicator.pillar.programme_id
        model = self.filter_source.model
        for name, rule in self.filter_source.filters.items():
            label = capfirst(rule.label(name, model))
            current = saved.get(name) if self.filter_source.key == indicator.source else None
            field: forms.Field
            if rule.boolean:
                field = forms.ChoiceField(label=label, choices=SURVIVOR_CHOICES, required=False)
                field.initial = "" if current is None else ("true" if current else "false")
            else:
                values = (
                    [str(v) for v in (current if isinstance(current, list | tuple) else [current])]
                    if current
                    else []
                )
                choices = rule.choices(model, programme_id)
                if choices is None:
                    field = forms.CharField(
                        label=label,
                        required=False,
                        help_text=_("Several values separated by semicolons; empty counts them all."),
                    )
                    field.initial = "; ".join(values)
                else:
                    # A value saved earlier stays visible and kept, even if it is no longer offered.
                    offered = {value for value, _label in choices}
                    choices += [(value, value) for value in values if value not in offered]
                    field = forms.MultipleChoiceField(
                        label=label,
                        choices=choices,
                        required=False,
                        widget=forms.CheckboxSelectMultiple,
                        help_text=_("None ticked counts them all."),
                    )
                    field.initial = values
            self.fields[FILTER_PREFIX + name] = field

    def rule_filters(self) -> dict[str, Any]:
        """The filters of the valid form, as the rule stores them: a list of values, or true/false."""
        assert self.filter_source is not None
        filters: dict[str, Any] = {}
        for name, rule in self.filter_source.filters.items():
            value = self.cleaned_data.get(FILTER_PREFIX + name)
            if rule.boolean:
                if value in {"true", "false"}:
                    filters[name] = value == "true"
            elif isinstance(value, list):
                if value:
                    filters[name] = value
            elif value:
                values = [part.strip() for part in value.split(";") if part.strip()]
                if values:
                    filters[name] = values
        return filters

    def filter_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith(FILTER_PREFIX)]

    def rule_fields(self) -> list[Any]:
        return [self["source"], self["measure"]]
