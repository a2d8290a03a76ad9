"""Forms of the referral pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nextsteps.privacy.forms import partner_organisations
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Case, OutcomeType, ServiceType
from nextsteps.referrals.models import Referral
from nextsteps.widgets import DateInput


class ReferForm(forms.Form):
    to_organisation = forms.ModelChoiceField(label=_("refer to"), queryset=Organisation.objects.none())
    services = forms.ModelMultipleChoiceField(
        label=_("services asked for"),
        queryset=ServiceType.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.ChoiceField(label=_("reason"), choices=Referral.Reason.choices)
    urgency = forms.ChoiceField(
        label=_("urgency"), choices=Referral.Urgency.choices, initial=Referral.Urgency.NORMAL
    )
    message = forms.CharField(
        label=_("message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the other organisation needs to know to help. Stored encrypted."),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partner_organisations(case.organisation_id).filter(programmes=case.programme_id)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for declining"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The sending organisation sees it. Stored encrypted."),
    )


class ConfirmForm(forms.Form):
    """Accepting, withdrawing and completing ask nothing but a confirmation."""


class DeliveryForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput())
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("date", dt.date.today())
        super().__init__(*args, **kwargs)


class ReferralServiceForm(DeliveryForm):
    service_type = forms.ModelChoiceField(
        label=_("service"), queryset=ServiceType.objects.filter(active=True)
    )
    field_order = ["service_type", "date", "note"]


class ReferralOutcomeForm(DeliveryForm):
    outcome_type = forms.ModelChoiceField(
        label=_("outcome"), queryset=OutcomeType.objects.filter(active=True)
    )
    field_order = ["outcome_type", "date", "note"]
