"""The identification form of a case page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from nextsteps.identification.models import CaseIdentification
from nextsteps.widgets import DateInput

LISTS = ("labour_sector", "recruitment_method", "recruiter_relationship", "referral_source")
MULTIPLE = ("exploitation_types", "means_of_control")


class IdentificationForm(forms.ModelForm):
    class Meta:
        model = CaseIdentification
        fields = [
            "status",
            "decided_by",
            "decided_on",
            "exploitation_types",
            "labour_sector",
            "recruitment_method",
            "recruiter_relationship",
            "recruitment_countries",
            "recruitment_locality",
            "exploitation_countries",
            "exploitation_locality",
            "means_of_control",
            "referral_source",
            "account",
        ]
        widgets = {
            "decided_on": DateInput(),
            "exploitation_types": forms.CheckboxSelectMultiple,
            "means_of_control": forms.CheckboxSelectMultiple,
            "account": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Values a programme retired stay choosable on the records that already have them.
        for name in (*LISTS, *MULTIPLE):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            current: list[Any] = []
            if self.instance.pk:
                value = getattr(self.instance, name)
                current = list(value.all()) if name in MULTIPLE else [value] if value else []
            model = CaseIdentification._meta.get_field(name).related_model
            assert model is not None and not isinstance(model, str)
            field.queryset = model._default_manager.filter(Q(active=True) | Q(pk__in=[v.pk for v in current]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "exploitation_types" in data and "labour_sector" in data:
            for name, message in CaseIdentification.exploitation_errors(
                data["exploitation_types"], data["labour_sector"]
            ).items():
                self.add_error(name, message)
        return data

    def values(self) -> dict[str, Any]:
        """What the action records: the form's fields, many-to-many ones included."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
