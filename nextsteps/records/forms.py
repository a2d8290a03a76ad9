"""Forms for recording work. Every choice of a related record is limited to what the user may use, so a
record of another organisation posted by id is refused as an invalid choice, never linked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Model
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from nextsteps.accounts import access
from nextsteps.privacy.actions import record_consent
from nextsteps.privacy.models import Consent
from nextsteps.programmes.models import Milestone, Organisation, Programme
from nextsteps.records import actions, versions
from nextsteps.records import models as m
from nextsteps.records.kinds import KINDS
from nextsteps.records.rules import counts_above
from nextsteps.widgets import PICKER_SLUGS, DateInput, use_picker

# Fields that point at other records, and the kind of record each must be scoped to.
SCOPED_RELATIONS = {
    "person": "person",
    "case": "case",
    "household": "household",
    "campaign": "campaign",
    "members": "person",
    "persons": "person",
}


class RecordForm(forms.ModelForm):
    kind: str = ""

    def __init__(
        self, *args: Any, user: Any, programme: Programme, action: str = access.ADD, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.programme = user, programme
        versions.add_version_field(self)
        orgs = access.organisations_for(user, self.kind, action)
        if "organisation" in self.fields:
            field = self.fields["organisation"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Organisation.objects.filter(pk__in=orgs)
            if len(orgs) == 1:
                # Nothing to choose: the record belongs to the user's one organisation, whatever is posted.
                field.initial = orgs[0]
                field.disabled = True
                field.widget = forms.HiddenInput()
        for name, kind in SCOPED_RELATIONS.items():
            related = self.fields.get(name)
            if isinstance(related, forms.ModelChoiceField):
                # Only records of the organisations this record may belong to: a case shared with the user's
                # organisation is readable there, but nothing is recorded on it from there.
                qs = access.scoped(user, kind, access.VIEW).filter(
                    **{f"{KINDS[kind].organisation_path}__in": orgs}
                )
                if kind in {"case", "campaign"}:
                    qs = qs.filter(programme=programme)
                related.queryset = qs.select_related(*(["person"] if kind == "case" else []))
                if kind in PICKER_SLUGS:
                    # Typed, not a drop-down of every record: the page stays small at any number of them.
                    use_picker(
                        related, kind, organisations=orgs, programme=programme if kind == "case" else None
                    )
        if "pillar" in self.fields:
            pillar = self.fields["pillar"]
            assert isinstance(pillar, forms.ModelChoiceField)
            pillar.queryset = programme.pillars.all()
        for choice in self.fields.values():
            listed = choice.queryset if isinstance(choice, forms.ModelChoiceField) else None
            if listed is not None and hasattr(listed.model, "active"):
                choice.queryset = listed.filter(active=True)  # type: ignore[attr-defined]

    def record_organisation(self) -> Organisation | None:
        org = self.cleaned_data.get("organisation") if "organisation" in self.fields else None
        return org or getattr(self.instance, "organisation", None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org = data.get("organisation") or (
            getattr(self.instance, "organisation_id", None) and self.instance.organisation
        )
        same_organisation(self, org, "person", "case", "household", "members", "persons")
        return data

    def before_save(self, instance: Any, acting_user: Any) -> None:
        """Records the form creates on the way (in the same transaction as the record itself)."""

    def extra_fields(self) -> dict[str, Any]:
        """Values the form does not show but the record needs."""
        fields: dict[str, Any] = {}
        if any(f.name == "programme" for f in self.instance._meta.fields):
            fields["programme"] = self.programme
        return fields


def same_organisation(form: forms.BaseForm, org: Organisation | None, *names: str) -> None:
    """A record and the persons, cases or households it names belong to the same organisation."""
    if org is None:
        return
    for name in names:
        field = form.fields.get(name)
        if field is not None and field.disabled:
            continue  # the record's own value, which the form does not let anyone change
        value = form.cleaned_data.get(name)
        related: list[Any] = [value] if isinstance(value, Model) else list(value or [])
        if any(r.organisation_id != org.pk for r in related):
            form.add_error(name, _("Choose one recorded by the same organisation."))


def no_future(value: dt.date | None, message: Any) -> None:
    """Refuse a date after today with `message`."""
    if value and value > dt.date.today():
        raise forms.ValidationError(message)


class PersonForm(RecordForm):
    kind = "person"
    # The form's sections (laid out by templates/form_fields.html).
    sections = [
        (
            _("Person"),
            ("organisation", "code", "sex", "birth_date", "birth_year", "nationality", "survivor_status"),
        ),
        (_("Name and contact details"), ("given_name", "family_name", "phone")),
    ]

    class Meta:
        model = m.Person
        fields = [
            "organisation",
            "code",
            "sex",
            "birth_date",
            "birth_year",
            "nationality",
            "survivor_status",
            "given_name",
            "family_name",
            "phone",
        ]
        widgets = {"birth_date": DateInput()}


class HouseholdForm(RecordForm):
    kind = "household"

    class Meta:
        model = m.Household
        fields = ["organisation", "code", "locality", "members"]


class CaseForm(RecordForm):
    kind = "case"
    # Consent is asked at intake: the form that opens a case records it in the same step.
    services_consent = forms.BooleanField(
        label=_("The person consents to receiving services (recorded as given on the day the case opens)"),
        required=False,
    )
    consent_given_by = forms.ChoiceField(
        label=_("consent given by"),
        choices=Consent.GivenBy.choices,
        initial=Consent.GivenBy.PERSON,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case = self.instance
        if case.pk and case.person_id and case.person.organisation_id != case.organisation_id:
            # A case opened on an accepted referral: the person is the sending organisation's, and stays
            # this case's person (the organisation's own persons are all the form would offer otherwise).
            person = self.fields["person"]
            assert isinstance(person, forms.ModelChoiceField)
            person.queryset = m.Person.objects.filter(pk=case.person_id)
            person.disabled = True

    sections = [
        (_("Case details"), ("organisation", "person", "opened")),
        (_("Consent to services"), ("services_consent", "consent_given_by", "consent_not_asked_reason")),
        (_("Status and closing"), ("status", "closed", "closure_reason")),
    ]
    field_order = [
        "organisation",
        "person",
        "opened",
        "services_consent",
        "consent_given_by",
        "consent_not_asked_reason",
    ]

    class Meta:
        model = m.Case
        fields = [
            "organisation",
            "person",
            "opened",
            "closed",
            "status",
            "closure_reason",
            "consent_not_asked_reason",
        ]
        widgets = {
            "opened": DateInput(),
            "closed": DateInput(),
            "consent_not_asked_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self) -> None:
        # The model's rule takes a consent about to be recorded here as given, for this check only: the
        # save (actions.save_new) checks again once before_save has stored it.
        self.instance.consent_at_intake = bool(self.cleaned_data.get("services_consent"))
        try:
            super()._post_clean()  # type: ignore[misc]
        finally:
            self.instance.consent_at_intake = False

    def before_save(self, instance: Any, acting_user: Any) -> None:
        if self.cleaned_data.get("services_consent") and not instance.has_services_consent():
            record_consent(
                acting_user=acting_user,
                person=instance.person,
                purpose=Consent.Purpose.SERVICES,
                given_on=instance.opened,
                given_by=self.cleaned_data.get("consent_given_by") or Consent.GivenBy.PERSON,
            )


class ServiceForm(RecordForm):
    kind = "service"

    class Meta:
        model = m.ServiceDelivery
        fields = ["case", "service_type", "date", "note"]
        widgets = {"date": DateInput()}

    def clean_date(self) -> dt.date:
        value = self.cleaned_data["date"]
        no_future(value, _("A service cannot be delivered in the future."))
        return value

    def clean_case(self) -> m.Case:
        case = self.cleaned_data["case"]
        if not access.can(self.user, "service", access.ADD, case.organisation_id):
            raise forms.ValidationError(_("You cannot record services for this case."))
        return case


class OutcomeForm(RecordForm):
    kind = "outcome"

    class Meta:
        model = m.Outcome
        fields = ["case", "outcome_type", "date", "note"]
        widgets = {"date": DateInput()}

    def clean_date(self) -> dt.date:
        value = self.cleaned_data["date"]
        no_future(value, _("An outcome cannot be recorded for a future date."))
        return value


class VisitForm(RecordForm):
    kind = "visit"

    class Meta:
        model = m.OutreachVisit
        fields = ["organisation", "date", "locality", "site_type", "household", "persons"]
        widgets = {"date": DateInput()}


class ActivityForm(RecordForm):
    kind = "activity"
    sections = [
        (_("Activity"), ("organisation", "activity_type", "pillar", "title", "date", "locality")),
        (
            _("Who took part"),
            (
                "attendance_total",
                "attendance_women",
                "attendance_girls",
                "attendance_men",
                "attendance_boys",
                "participant_groups",
                "participating_organisations",
            ),
        ),
    ]

    class Meta:
        model = m.Activity
        fields = [
            "organisation",
            "activity_type",
            "pillar",
            "title",
            "date",
            "locality",
            "attendance_total",
            "attendance_women",
            "attendance_girls",
            "attendance_men",
            "attendance_boys",
            "participant_groups",
            "participating_organisations",
        ]
        widgets = {
            "date": DateInput(),
            "participant_groups": forms.CheckboxSelectMultiple,
            "participating_organisations": forms.CheckboxSelectMultiple,
        }


class VolunteerForm(RecordForm):
    kind = "volunteer"

    class Meta:
        model = m.Volunteer
        fields = [
            "organisation",
            "code",
            "signed_up",
            "stage",
            "campaign",
            "locality",
            "name",
            "phone",
            "references_checked",
            "certificate_checked",
            "safeguarding_signed",
            "confidentiality_signed",
            "training_sessions",
            "last_training",
        ]
        widgets = {
            name: DateInput()
            for name in (
                "signed_up",
                "references_checked",
                "certificate_checked",
                "safeguarding_signed",
                "confidentiality_signed",
                "last_training",
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No sessions yet is the usual answer for a new volunteer: an empty field means none.
        self.fields["training_sessions"].required = False
        # A sign-up without a stage is an application, as for an import row or an API client that sends none.
        self.fields["stage"].required = False

    def clean_training_sessions(self) -> int:
        return self.cleaned_data.get("training_sessions") or 0

    def clean_stage(self) -> str:
        return self.cleaned_data.get("stage") or m.Volunteer.Stage.APPLIED


class CampaignForm(RecordForm):
    kind = "campaign"

    class Meta:
        model = m.Campaign
        fields = ["organisation", "name", "slug", "kind", "start", "end", "purpose"]
        widgets = {"start": DateInput(), "end": DateInput()}


class DistributionForm(RecordForm):
    kind = "distribution"

    class Meta:
        model = m.Distribution
        fields = ["organisation", "campaign", "date", "item", "quantity", "recipient_group", "locality"]
        widgets = {"date": DateInput()}


class PartnerContactForm(RecordForm):
    kind = "partner_contact"

    class Meta:
        model = m.PartnerContact
        fields = [
            "organisation",
            "external_organisation",
            "kind",
            "established",
            "status",
            "locality",
            "note",
        ]
        widgets = {"established": DateInput()}


class PartnerContactPageForm(PartnerContactForm):
    """The page's form also takes the name of a new external organisation: those are shared by the whole
    programme, and whoever records a contact with a new one names it here instead of asking an
    administrator to add it first. (The API's form keeps to the record's own fields.)"""

    new_external_organisation = forms.CharField(
        label=_("or a new external organisation"),
        max_length=200,
        required=False,
        help_text=_("Type its name when it is not in the list yet."),
    )
    field_order = ["organisation", "external_organisation", "new_external_organisation"]

    def __init__(
        self, *args: Any, user: Any, programme: Programme, action: str = access.ADD, **kwargs: Any
    ) -> None:
        super().__init__(*args, user=user, programme=programme, action=action, **kwargs)
        self.fields["external_organisation"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen, typed = (
            data.get("external_organisation"),
            (data.get("new_external_organisation") or "").strip(),
        )
        if chosen and typed:
            self.add_error(
                "new_external_organisation", _("Choose an external organisation or type a new one, not both.")
            )
        elif not chosen and not typed:
            self.add_error(
                "external_organisation", _("Choose an external organisation, or type the name of a new one.")
            )
        return data

    def before_save(self, instance: Any, acting_user: Any) -> None:
        typed = (self.cleaned_data.get("new_external_organisation") or "").strip()
        if typed:
            instance.external_organisation = actions.external_organisation_named(
                typed, kind=instance.kind, acting_user=acting_user, organisation=self.record_organisation()
            )


class MilestoneForm(RecordForm):
    kind = "milestone"

    class Meta:
        model = Milestone
        fields = ["organisation", "pillar", "date", "text_nl", "text_en", "text_ro"]
        widgets = {"date": DateInput()}


class StoryForm(RecordForm):
    kind = "story"

    class Meta:
        model = m.Story
        fields = ["organisation", "person", "date", "text_nl", "text_en", "text_ro", "consent_to_publish"]
        widgets = {"date": DateInput()}


_RECORD_FORMS: list[type[RecordForm]] = [
    PersonForm,
    HouseholdForm,
    CaseForm,
    ServiceForm,
    OutcomeForm,
    VisitForm,
    ActivityForm,
    VolunteerForm,
    CampaignForm,
    DistributionForm,
    PartnerContactForm,
    MilestoneForm,
    StoryForm,
]
FORMS: dict[str, type[RecordForm]] = {form.kind: form for form in _RECORD_FORMS}


class PersonPageForm(PersonForm):
    """The page's form asks before recording someone who is likely recorded already (same organisation, name
    and year of birth: nextsteps/records/duplicates.py), with a link to her, and saves once confirmed."""

    save_anyway = forms.BooleanField(
        label=_("This is another person: save anyway"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["save_anyway"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "save_anyway" not in self.fields or data.get("save_anyway") or self.errors:
            return data
        from nextsteps.records.duplicates import possible_duplicates_of

        typed = m.Person(
            organisation=self.record_organisation(),
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            birth_date=data.get("birth_date"),
            birth_year=data.get("birth_year"),
        )
        same = possible_duplicates_of(typed).only("pk", "code").first()
        if same is not None:
            link = format_html(
                '<a href="{}">{}</a>', reverse("records:person-detail", args=[same.pk]), same.code
            )
            message = _("A person with the same name and year of birth exists: %(person)s. Save anyway?")
            self.fields["save_anyway"].widget = forms.CheckboxInput()
            # Safe: the sentence is escaped and the link is built by format_html.
            self.add_error("save_anyway", mark_safe(conditional_escape(message) % {"person": link}))
        return data


class UnusualCountsPageForm(RecordForm):
    """A page's form asks before saving a count above the programme's `unusual_count` (a typing slip such as
    4500 for 45 would otherwise enter the donor's figures); ticked, it saves. The API keeps the hard limit."""

    confirm_unusual = forms.BooleanField(
        label=_("These numbers are right: save anyway"), required=False, widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("confirm_unusual"):
            return data
        # A value confirmed before (the record's stored one) is not asked about again on each edit.
        names = [
            name
            for name in self._meta.model.record_counts
            if name in self.fields and not (self.instance.pk and data.get(name) == self.initial.get(name))
        ]
        unusual = counts_above(self.programme.unusual_count, {name: data.get(name) for name in names})
        for name, value in unusual:
            self.add_error(
                name,
                _(
                    "%(value)s is unusually high for this programme (more than %(limit)s): check it, and tick "
                    "the confirmation to save it anyway."
                )
                % {"value": value, "limit": self.programme.unusual_count},
            )
        if unusual:
            self.fields["confirm_unusual"].widget = forms.CheckboxInput()
        return data


def _asks_unusual(form: type[RecordForm]) -> type[RecordForm]:
    if not getattr(form._meta.model, "record_counts", ()):  # type: ignore[attr-defined]
        return form
    return type(form.__name__, (UnusualCountsPageForm, form), {"__module__": __name__})


# What the pages use: the same forms, and on some a helper field the API has no use for.
PAGE_FORMS: dict[str, type[RecordForm]] = {
    **{kind: _asks_unusual(form) for kind, form in FORMS.items()},
    "person": PersonPageForm,
    "partner_contact": PartnerContactPageForm,
}


class VolunteerHoursForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        widget=DateInput(),
        help_text=_("Any day of the month: the hours count for the month."),
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=m.VolunteerHours.MAX_HOURS)


class NewPersonForm(forms.Form):
    """A person met for the first time on an outreach round, recorded in the same submit."""

    code = forms.CharField(label=_("code"), max_length=40, required=False)
    sex = forms.ChoiceField(label=_("sex"), choices=m.Sex.choices, initial=m.Sex.UNKNOWN)
    birth_year = forms.IntegerField(label=_("year of birth"), required=False, min_value=1900)

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        if year and year > dt.date.today().year:
            raise forms.ValidationError(_("The year of birth is in the future."))
        return year


class BaseNewPersonFormSet(forms.BaseFormSet):
    """The new people of one round. Their codes must be new to the organisation and differ from each other:
    the view sets `organisation` (from the round's own form) before validating."""

    organisation: Organisation | None = None

    def clean(self) -> None:
        super().clean()
        # Keyed by the lower-case code: codes are unique whatever their case (Person's constraint).
        typed: dict[str, list[forms.Form]] = {}
        for form in self.forms:
            code = (form.cleaned_data.get("code") or "").strip() if form.is_valid() else ""
            if code:
                typed.setdefault(code.lower(), []).append(form)
        if not typed:
            return
        taken: set[str] = set()
        if self.organisation is not None:
            taken = set(
                m.Person.objects.filter(organisation=self.organisation)
                .annotate(lower_code=Lower("code"))
                .filter(lower_code__in=typed)
                .values_list("lower_code", flat=True)
            )
        for lowered, forms_ in typed.items():
            if lowered in taken:
                for form in forms_:
                    code = form.cleaned_data["code"].strip()
                    form.add_error(
                        "code", _("This organisation already uses the code %(code)s.") % {"code": code}
                    )
            elif len(forms_) > 1:
                for form in forms_[1:]:
                    code = form.cleaned_data["code"].strip()
                    form.add_error(
                        "code", _("The code %(code)s is given twice in this round.") % {"code": code}
                    )

    def typed_codes(self) -> set[str]:
        return {(f.cleaned_data.get("code") or "").strip() for f in self.forms if f.is_valid()} - {""}


NewPersonFormSet: type[BaseNewPersonFormSet] = forms.formset_factory(  # type: ignore[assignment]
    NewPersonForm, formset=BaseNewPersonFormSet, extra=3, max_num=20
)


def model_of(form: forms.ModelForm) -> type[Model]:
    return form._meta.model  # type: ignore[return-value]
