"""Forms of the case file. Choices of people and partners are limited to what the case's organisation may
use; the rules are the models' and the actions'."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nextsteps.accounts.access import case_writers
from nextsteps.accounts.models import User
from nextsteps.casework.models import Assessment, Goal, NeedArea, PlannedAction, RiskLevel
from nextsteps.records.models import Case, ClosureReason, ExternalOrganisation, ServiceType
from nextsteps.widgets import DateInput


class AssignForm(forms.Form):
    caseworker = forms.ModelChoiceField(label=_("responsible caseworker"), queryset=User.objects.none())
    co_workers = forms.ModelMultipleChoiceField(
        label=_("co-workers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        writers = case_writers(case.organisation_id).order_by("username")
        for name in ("caseworker", "co_workers"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = writers


class CloseForm(forms.Form):
    closure_reason = forms.ModelChoiceField(
        label=_("closure reason"), queryset=ClosureReason.objects.filter(active=True)
    )
    closed = forms.DateField(label=_("closed"), widget=DateInput())
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput())


class NoteForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput())
    text = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 5}))


class FollowUpForm(forms.Form):
    what = forms.CharField(label=_("what"), widget=forms.Textarea(attrs={"rows": 2}))
    due = forms.DateField(label=_("due date"), widget=DateInput())
    assigned_to = forms.ModelChoiceField(label=_("assigned to"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = case_writers(case.organisation_id).order_by("username")


class FollowUpEditForm(FollowUpForm):
    done = forms.DateField(label=_("done on"), widget=DateInput(), required=False)


class DoneForm(forms.Form):
    done = forms.DateField(label=_("done on"), widget=DateInput(), initial=dt.date.today)


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["date", "risk_level", "safety_concerns", "needs", "needs_note"]
        widgets = {
            "date": DateInput(),
            "needs": forms.CheckboxSelectMultiple,
            "safety_concerns": forms.Textarea(attrs={"rows": 3}),
            "needs_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        needs = self.fields["needs"]
        assert isinstance(needs, forms.ModelMultipleChoiceField)
        needs.queryset = NeedArea.objects.filter(active=True)
        self.fields["risk_level"].choices = RiskLevel.choices  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    text = forms.CharField(label=_("goal"), widget=forms.Textarea(attrs={"rows": 2}))


class GoalEditForm(GoalForm):
    status = forms.ChoiceField(label=_("status"), choices=Goal.Status.choices)


class PlannedActionForm(forms.ModelForm):
    class Meta:
        model = PlannedAction
        fields = ["service_type", "responsible_user", "partner", "due", "status"]
        widgets = {"due": DateInput()}

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["service_type"].queryset = ServiceType.objects.filter(active=True)
        fields["responsible_user"].queryset = case_writers(case.organisation_id).order_by("username")
        fields["partner"].queryset = ExternalOrganisation.objects.all()


class ServiceFromPlanForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput())
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    done = forms.BooleanField(label=_("This action is done"), required=False, initial=True)
