"""The outreach round as a monthly tracker, in two steps as the stages of a tracker programme: first the place
(organisation, date, locality, site type), then a grid of that locality's households, last month's ones
ticked, with the persons present in each. Saved at once (nextsteps/records/actions.py record_round) and once:
the form carries a token that a second submit finds."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch, Q
from django.db.models.functions import Length, Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nextsteps.accounts import access
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation
from nextsteps.records import actions
from nextsteps.records import models as m
from nextsteps.records.forms import NewPersonFormSet, no_future, same_organisation
from nextsteps.widgets import UNMATCHED_CODE, DateInput, use_picker

# How often a round is tried again when a code it generated was taken by someone saving at the same time.
ROUND_ATTEMPTS = 3


class RoundPlaceForm(forms.Form):
    """The round's first step: where and when. Asked by GET: it saves nothing."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("organisation"), queryset=Organisation.objects.none()
    )
    date = forms.DateField(
        label=gettext_lazy("date"),
        widget=DateInput(),
        validators=[partial(no_future, message=gettext_lazy("A visit cannot take place in the future."))],
    )
    locality = forms.CharField(label=gettext_lazy("locality"), max_length=100)
    site_type = forms.ModelChoiceField(
        label=gettext_lazy("site type"), queryset=m.SiteType.objects.filter(active=True)
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.organisation_ids = access.organisations_for(user, "visit", access.ADD)
        org_field = self.fields["organisation"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = Organisation.objects.filter(pk__in=self.organisation_ids)
        if len(self.organisation_ids) == 1:
            # Nothing to choose: the round belongs to the user's one organisation, whatever is posted.
            org_field.initial = self.organisation_ids[0]
            org_field.disabled = True
            org_field.widget = forms.HiddenInput()
        # Offered, not imposed (a datalist in the page): a round may go where no household is recorded yet.
        self.fields["locality"].widget.attrs["list"] = "round-localities"
        self.localities = known_localities(self.organisation_ids)

    def place(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("organisation", "date", "locality", "site_type")}


def known_localities(organisation_ids: Collection[int]) -> list[str]:
    """The localities of the organisations' households, one spelling per place (records.models.same_locality)."""
    found: dict[str, str] = {}
    stored = (
        m.Household.objects.filter(organisation__in=organisation_ids)
        .order_by("locality")
        .values_list("locality", flat=True)
        .distinct()
    )
    for locality in stored:
        found.setdefault(m.locality_key(locality), " ".join(locality.split()))
    return sorted(found.values(), key=str.casefold)


def _spellings(organisation: Organisation, locality: str) -> list[str]:
    """Every spelling of this locality among the organisation's households: one query, the list is short."""
    stored = (
        m.Household.objects.filter(organisation=organisation)
        .order_by()
        .values_list("locality", flat=True)
        .distinct()
    )
    return [value for value in stored if m.same_locality(value, locality)]


class PersonsReached(forms.ModelMultipleChoiceField):
    """Other people reached, chosen with the picker. A code typed without choosing that finds no one (the
    picker passes it on as typed) is named in the message, all of them at once."""

    def clean(self, value: Any) -> Any:
        listed = value if isinstance(value, (list, tuple)) else ()
        typed = [str(v).strip().removeprefix(UNMATCHED_CODE) for v in listed if not str(v).strip().isdigit()]
        if typed:
            raise ValidationError(
                _("No person you may record has the code %(codes)s.") % {"codes": ", ".join(typed)},
                code="invalid_choice",
            )
        return super().clean(value)


class OutreachRoundForm(RoundPlaceForm):
    """The round's second step, posted: the households visited with the persons present in each (fields
    `present-<household>`, default all its members), other people reached (chosen with the picker, or typed
    codes without JavaScript), and the form's token."""

    households = forms.ModelMultipleChoiceField(
        label=gettext_lazy("households visited"),
        queryset=m.Household.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    persons = PersonsReached(
        label=gettext_lazy("other people reached"),
        queryset=m.Person.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Someone chosen is not a person you may record for this organisation: choose again."
            )
        },
    )
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["households"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        # Members read with the households, in one more query: the persons present are checked against them.
        field.queryset = (
            access.scoped(user, "household")
            .filter(organisation__in=self.organisation_ids)
            .prefetch_related(Prefetch("members", queryset=m.Person.objects.only("pk", "code")))
        )
        # Offered and accepted: the persons of the round's own organisation only (of every organisation the
        # user records for while the posted one is not theirs: the organisation field then refuses it).
        organisations = [own] if (own := self._organisation_id()) else self.organisation_ids
        persons = self.fields["persons"]
        assert isinstance(persons, forms.ModelMultipleChoiceField)
        persons.queryset = access.scoped(user, "person").filter(organisation__in=organisations)
        use_picker(persons, "person", organisations=organisations)

    def _organisation_id(self) -> int | None:
        """The organisation the round is for, as posted (or given) when it is one the user records for."""
        field = self.fields["organisation"]
        if field.disabled or not self.is_bound:
            chosen = self.initial.get("organisation", field.initial)
        else:
            chosen = self.data.get("organisation")
        chosen = getattr(chosen, "pk", chosen)
        return int(chosen) if str(chosen).isdigit() and int(chosen) in self.organisation_ids else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org = data.get("organisation")
        same_organisation(self, org, "households", "persons")
        households = list(data.get("households") or ())
        locality, date = data.get("locality"), data.get("date")
        elsewhere = [h.code for h in households if locality and not m.same_locality(h.locality, locality)]
        if elsewhere:
            self.add_error(
                "households",
                _("Not in %(locality)s: %(households)s. Tick only the households of the round's locality.")
                % {"locality": locality, "households": ", ".join(elsewhere)},
            )
        data["present"] = self._present(households)
        if households and date and org:
            # Also what stops the same round saved twice from another form: the first one's visits are there.
            visited = m.Household.objects.filter(
                pk__in=[h.pk for h in households], visits__date=date, visits__organisation=org
            ).values_list("code", flat=True)
            if visited:
                self.add_error(
                    "households",
                    _("Already visited on %(date)s: %(households)s. Nothing of this round was saved.")
                    % {"date": m.day(date), "households": ", ".join(sorted(set(visited)))},
                )
        return data

    def _present(self, households: list[m.Household]) -> dict[int, list[int]]:
        """The persons present per household: those ticked when the grid listed them, else all members."""
        present: dict[int, list[int]] = {}
        nobody, strangers = [], []
        for household in households:
            members = [person.pk for person in household.members.all()]
            key = f"present-{household.pk}"
            if key not in self.data:
                present[household.pk] = members
                continue
            ticked = {value for value in self.data.getlist(key) if value}  # type: ignore[attr-defined]
            chosen = [pk for pk in members if str(pk) in ticked]
            if len(chosen) != len(ticked):
                strangers.append(household.code)
            elif not chosen:
                nobody.append(household.code)
            present[household.pk] = chosen
        if strangers:
            self.add_error(
                "households",
                _("Only members can be present in a household: check %(households)s.")
                % {"households": ", ".join(strangers)},
            )
        if nobody:
            self.add_error(
                "households",
                _(
                    "No one is ticked as present in %(households)s: tick who was there, or untick the household."
                )
                % {"households": ", ".join(nobody)},
            )
        return present


@dataclass
class GridRow:
    household: m.Household
    members: list[m.Person]
    last_visit: dt.date | None
    checked: bool
    present: set[int] = field(default_factory=set)


def last_month(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month before the round's own."""
    end = day.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def grid_rows(
    user: Any, organisation: Organisation, locality: str, day: dt.date, form: OutreachRoundForm | None = None
) -> tuple[list[GridRow], bool]:
    """The locality's households with their last visit and whether last month had one, read in three queries
    whatever their number; with the persons present as posted when a refused form is shown again. Returns
    the rows and whether they show names (to those who may read persons: the reading is audited)."""
    start, end = last_month(day)
    by_organisation = Q(visits__organisation=organisation)
    show_names = access.can(user, "person", access.VIEW, organisation.pk)
    members = m.Person.objects.all() if show_names else m.Person.objects.only("pk", "code")
    households = (
        access.scoped(user, "household")
        .filter(organisation=organisation, locality__in=_spellings(organisation, locality))
        .annotate(
            last_visit=Max("visits__date", filter=by_organisation),
            last_month=Count("visits", filter=by_organisation & Q(visits__date__range=(start, end))),
        )
        .prefetch_related(Prefetch("members", queryset=members.order_by("code")))
        .order_by("code")
    )
    posted: set[str] | None = None
    if form is not None and form.is_bound:
        posted = set(form.data.getlist("households"))  # type: ignore[attr-defined]
    rows = []
    for household in households:
        people = list(household.members.all())
        checked = str(household.pk) in posted if posted is not None else household.last_month > 0  # type: ignore[attr-defined]
        present = {p.pk for p in people}
        if form is not None and f"present-{household.pk}" in form.data:
            ticked = set(form.data.getlist(f"present-{household.pk}"))  # type: ignore[attr-defined]
            present = {p.pk for p in people if str(p.pk) in ticked}
        rows.append(GridRow(household, people, household.last_visit, checked, present))  # type: ignore[attr-defined]
    if show_names:
        shown = [person.pk for row in rows for person in row.members]
        if shown:
            actions.insert_audit_entries(
                m.Person, [(AuditEntry.Action.VIEW, pk, ()) for pk in shown], user, organisation
            )
    return rows, show_names


@login_required
def outreach_round(request: HttpRequest) -> HttpResponse:
    """The fastest path for outreach workers: the place first, then the locality's households at once."""
    access.require(access.can(request.user, "visit", access.ADD))
    programme = access.programme_or_404(request.user, request.GET.get("programme"))
    if request.method == "POST":
        return _post_round(request, programme)
    place = RoundPlaceForm(
        request.GET if "locality" in request.GET else None,
        user=request.user,
        initial={"date": dt.date.today()},
    )
    if not place.is_bound or not place.is_valid():
        return render(request, "records/round_place.html", {"place": place})
    form = OutreachRoundForm(user=request.user, initial={**place.place(), "token": uuid.uuid4()})
    return _grid_page(request, form, place.place(), NewPersonFormSet(prefix="new"))


def _grid_page(
    request: HttpRequest, form: OutreachRoundForm, place: dict[str, Any], newcomers: Any
) -> HttpResponse:
    rows, show_names = grid_rows(request.user, place["organisation"], place["locality"], place["date"], form)
    start, _end = last_month(place["date"])
    change = {name: getattr(value, "pk", value) for name, value in place.items()}
    if request.GET.get("programme"):
        # The round is for the programme the page was opened for, through both steps.
        change["programme"] = request.GET["programme"]
    return render(
        request,
        "records/outreach_round.html",
        {
            "form": form,
            "newcomers": newcomers,
            "place": place,
            "rows": rows,
            "show_names": show_names,
            "last_month": start,
            "place_day": m.day(place["date"]),
            "count_households": sum(row.checked for row in rows),
            "count_people": sum(len(row.present) for row in rows if row.checked),
            "change_url": f"{reverse('records:outreach-round')}?{urlencode(change)}",
            "errors": _error_summary(form, newcomers),
        },
    )


def _error_summary(form: OutreachRoundForm, newcomers: Any) -> list[tuple[str, str]]:
    """Every message of the page, each with the id of what it is about, for the summary at the top."""
    found: list[tuple[str, str]] = []
    anchors = {"households": "round-grid", "persons": "id_persons", NON_FIELD_ERRORS: "round-grid"}
    for name, errors in form.errors.items():
        # The place's fields are hidden on this page: their errors point at the line that shows the place.
        anchor = anchors.get(name, "round-place")
        found += [(str(message), anchor) for message in errors]
    if form.is_bound:
        found += [(str(message), "newcomers") for message in newcomers.non_form_errors()]
        for row in newcomers.forms:
            for name, errors in row.errors.items():
                anchor = "newcomers" if name == NON_FIELD_ERRORS else f"id_{row.prefix}-{name}"
                found += [(str(message), anchor) for message in errors]
    return found


def _post_round(request: HttpRequest, programme: Any) -> HttpResponse:
    saved = _already_saved(request)
    if saved is not None:
        return saved
    form = OutreachRoundForm(request.POST, user=request.user)
    newcomers = NewPersonFormSet(request.POST, prefix="new")
    # Both are validated, so that every mistake is shown at once; the codes are checked against the
    # organisation the round is for.
    round_valid = form.is_valid()
    newcomers.organisation = form.cleaned_data.get("organisation") if round_valid else None
    if round_valid and newcomers.is_valid():
        result = _save_round(request.user, programme, form, newcomers)
        if result is not None:
            messages.success(
                request,
                _("The outreach round was saved. Households: %(households)s, people: %(people)s.")
                % {"households": result.households, "people": result.people},
            )
            return redirect(_visits_url(form.cleaned_data))
        saved = _already_saved(request)
        if saved is not None:
            return saved
    place = RoundPlaceForm(request.POST, user=request.user)
    if not place.is_valid():
        # Only a changed or stale form gets here: the first step checked the place.
        return render(request, "records/round_place.html", {"place": place})
    return _grid_page(request, form, place.place(), newcomers)


def _visits_url(data: dict[str, Any]) -> str:
    query = {"date_from": data["date"].isoformat(), "date_to": data["date"].isoformat()}
    return f"{reverse('records:visit-list')}?{urlencode(query)}"


def _already_saved(request: HttpRequest) -> HttpResponse | None:
    """A second submit of a saved round's form (a double click, a reload): said plainly, with a link."""
    try:
        token = uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        return None
    saved = m.RoundSubmission.objects.filter(token=token, user_id=int(request.user.pk or 0)).first()
    if saved is None:
        return None
    return render(
        request,
        "records/round_saved.html",
        {"saved": saved, "day": m.day(saved.date), "visits_url": _visits_url({"date": saved.date})},
    )


def _token_used(token: uuid.UUID | None) -> bool:
    return token is not None and m.RoundSubmission.objects.filter(token=token).exists()


def _save_round(
    user: Any, programme: Any, form: OutreachRoundForm, newcomers: Any
) -> actions.RoundSaved | None:
    """Save the round, or add to the forms why not (then nothing is saved) and return None."""
    data = form.cleaned_data
    can_add_people = access.can(user, "person", access.ADD, data["organisation"].pk)
    new_rows = [row for row in newcomers.cleaned_data if row and (row.get("code") or row.get("birth_year"))]
    if new_rows and not can_add_people:
        form.add_error(None, _("You cannot record new people for this organisation."))
        return None
    if not (data["households"] or data["persons"] or new_rows):
        form.add_error(None, _("Choose at least one household or person reached."))
        return None
    for _attempt in range(ROUND_ATTEMPTS):
        try:
            return _record_round(user, programme, data, new_rows, reserved=newcomers.typed_codes())
        except (IntegrityError, ValidationError) as error:
            if isinstance(error, IntegrityError) and _token_used(data.get("token")):
                # The same form, submitted twice at once: the other submit saved it (the caller says so).
                return None
            # Someone saved a visit or a person with one of these codes since the form was checked: the
            # checks say which (a typed code is the user's to change, a generated one is generated again).
            form.full_clean()
            newcomers.full_clean()
            if not form.is_valid() or not newcomers.is_valid():
                return None
            data = form.cleaned_data
            if isinstance(error, ValidationError) and set(getattr(error, "error_dict", {"": None})) != {
                "code"
            }:
                # Not a code taken meanwhile: a rule of the records themselves, said as it is.
                form.add_error(None, error.messages)
                return None
    form.add_error(
        None, _("Others were saving people at the same time. Nothing was saved: please save again.")
    )
    return None


@transaction.atomic
def _record_round(
    user: Any, programme: Any, data: dict[str, Any], new_rows: list[dict[str, Any]], reserved: set[str]
) -> actions.RoundSaved:
    org = data["organisation"]
    if data.get("token"):
        # First: a second submit of the same form waits here for the first one and then finds its token.
        m.RoundSubmission.objects.create(
            token=data["token"], user=user, organisation=org, date=data["date"], locality=data["locality"]
        )
    people = list(data["persons"])
    for row in new_rows:
        code = (row.get("code") or "").strip() or _next_code(org, reserved)
        people.append(
            actions.create_record(
                m.Person,
                acting_user=user,
                organisation=org,
                code=code,
                sex=row["sex"],
                birth_year=row.get("birth_year"),
            )
        )
    return actions.record_round(
        acting_user=user,
        programme=programme,
        organisation=org,
        date=data["date"],
        locality=data["locality"],
        site_type=data["site_type"],
        households=[(household, data["present"][household.pk]) for household in data["households"]],
        persons=people,
    )


def _next_code(org: Organisation, reserved: Iterable[str] = ()) -> str:
    """The code after the highest numbered one of the organisation (`SAL-00042`), never one it already
    uses or one typed elsewhere in the same round, whatever their case: counting persons would reuse a
    code after a delete."""
    prefix = f"{org.slug[:3].upper()}-"
    persons = m.Person.objects.filter(organisation=org)
    highest = (
        persons.filter(code__startswith=prefix, code__regex=rf"^{re.escape(prefix)}[0-9]+$")
        .order_by(Length("code").desc(), "-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(highest[len(prefix) :]) + 1 if highest else 1
    # Codes with odd zero padding can sort above higher numbers: step over any that are taken.
    taken = {code.lower() for code in reserved}
    while (code := f"{prefix}{number:05d}").lower() in taken or (
        persons.annotate(lower_code=Lower("code")).filter(lower_code=code.lower()).exists()
    ):
        number += 1
    return code
