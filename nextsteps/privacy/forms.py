"""Forms of the consent, sharing and data-protection pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nextsteps.privacy.models import Consent
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Person, Volunteer
from nextsteps.widgets import DateInput


def partner_organisations(organisation_id: int) -> Any:
    """Organisations that work in a programme with this one: the ones a case can be shared with."""
    return (
        Organisation.objects.filter(programmes__organisations=organisation_id)
        .exclude(pk=organisation_id)
        .distinct()
        .order_by("name")
    )


class ConsentForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["purpose", "shared_with", "given_by", "given_on", "expires_on"]
        widgets = {"given_on": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        # The model's own checks (the organisation named only for sharing, dates in order) need the person.
        kwargs["instance"] = Consent(person=person, organisation=person.organisation)
        kwargs.setdefault("initial", {"given_on": dt.date.today()})
        super().__init__(*args, **kwargs)
        shared_with = self.fields["shared_with"]
        assert isinstance(shared_with, forms.ModelChoiceField)
        shared_with.queryset = partner_organisations(person.organisation_id)


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("withdrawn on"), widget=DateInput())

    def __init__(self, *args: Any, consent: Consent, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"withdrawn_on": dt.date.today()})
        super().__init__(*args, **kwargs)
        self.consent = consent

    def clean_withdrawn_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["withdrawn_on"]
        if value > dt.date.today():
            raise forms.ValidationError(_("A consent cannot be withdrawn in the future."))
        if value < self.consent.given_on:
            raise forms.ValidationError(_("A consent cannot be withdrawn before it was given."))
        return value


class FindPersonForm(forms.Form):
    q = forms.CharField(
        label=_("Code or full name"),
        max_length=200,
        help_text=_("A code, or a whole given name, family name or full name."),
    )


class EraseForm(forms.Form):
    code = forms.CharField(label=_("Type the person's code to confirm"), max_length=40)

    def __init__(self, *args: Any, person: Person | Volunteer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_code(self) -> str:
        value = self.cleaned_data["code"].strip()
        if value != self.person.code:
            raise forms.ValidationError(_("That is not this person's code; nothing was erased."))
        return value


class EraseVolunteerForm(EraseForm):
    code = forms.CharField(label=_("Type the volunteer's code to confirm"), max_length=40)

    def clean_code(self) -> str:
        value = self.cleaned_data["code"].strip()
        if value != self.person.code:
            raise forms.ValidationError(_("That is not this volunteer's code; nothing was erased."))
        return value
