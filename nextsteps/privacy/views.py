"""Pages for a person's consents and for the data-protection officer's handling of a
person's requests (export, erasure). Every page asks the access module first; what a user may not reach
answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy import export, places, storage
from nextsteps.privacy import volunteers as volunteer_rights
from nextsteps.privacy.actions import record_consent, withdraw_consent
from nextsteps.privacy.erasure import AlreadyErased, erase_person
from nextsteps.privacy.forms import ConsentForm, EraseForm, EraseVolunteerForm, FindPersonForm, WithdrawForm
from nextsteps.privacy.models import Consent, Erasure
from nextsteps.privacy.search import persons_matching
from nextsteps.records.models import Case, Person, Volunteer

MAX_FOUND = 50


def _add_errors(form: Any, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


# Consents ------------------------------------------------------------------------------------------------


@login_required
def consents(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's consents, for those who may change the person."""
    person: Person = access.get_or_404(request.user, "person", pk, access.CHANGE)
    access.audit_view(request.user, person)
    today = dt.date.today()
    items = [
        (consent, consent.is_valid_on(today))
        for consent in Consent.objects.filter(person=person).select_related("shared_with")
    ]
    return render(request, "privacy/consents.html", {"person": person, "items": items, "today": today})


@login_required
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    person: Person = access.get_or_404(request.user, "person", pk, access.CHANGE)
    # The refer page links here with the consent it misses filled in (purpose, organisation); the form's
    # own choices still decide what may be chosen.
    initial = {
        "given_on": dt.date.today(),
        **{k: request.GET[k] for k in ("purpose", "shared_with") if k in request.GET},
    }
    form = ConsentForm(request.POST or None, person=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_consent(
                acting_user=request.user,
                person=person,
                purpose=data["purpose"],
                given_by=data["given_by"],
                given_on=data["given_on"],
                expires_on=data["expires_on"],
                shared_with=data["shared_with"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("privacy:consents", pk=person.pk)
    return render(
        request,
        "form_page.html",
        {
            "title": _("New consent of %(code)s") % {"code": person.code},
            "form": form,
            "cancel": reverse("privacy:consents", args=[person.pk]),
            "submit": _("Save"),
        },
    )


@login_required
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    changeable = access.scoped(request.user, "person", access.CHANGE)
    consent = access.first_or_404(
        Consent.objects.filter(pk=pk, person__in=changeable, withdrawn_on__isnull=True).select_related(
            "person", "shared_with"
        )
    )
    form = WithdrawForm(request.POST or None, consent=consent)
    if request.method == "POST" and form.is_valid():
        try:
            withdraw_consent(acting_user=request.user, consent=consent, on=form.cleaned_data["withdrawn_on"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The consent was withdrawn."))
            return redirect("privacy:consents", pk=consent.person_id)
    return render(
        request,
        "form_page.html",
        {
            "title": _("Withdraw the consent of %(code)s for %(purpose)s")
            % {"code": consent.person.code, "purpose": consent.get_purpose_display()},
            "intro": _(
                "From the day of withdrawal the consent no longer holds: a case shared on it is no longer "
                "visible to the other organisation, and a story published on it leaves every report."
            ),
            "form": form,
            "cancel": reverse("privacy:consents", args=[consent.person_id]),
            "submit": _("Withdraw"),
        },
    )


# Data-protection requests ----------------------------------------------------------------------------------


@login_required
def rights(request: HttpRequest) -> HttpResponse:
    """Where the data-protection officer finds the person a request is about."""
    access.require(access.has(request.user, access.PERSON_RIGHTS))
    form = FindPersonForm(request.GET or None)
    found: list[Person] | None = None
    volunteers: list[Volunteer] = []
    if form.is_valid():
        persons = access.rights_persons(request.user)
        text = form.cleaned_data["q"].strip()
        found = list(
            persons.filter(Q(code__iexact=text) | Q(pk__in=persons_matching(persons, text).values("pk")))
            .select_related("organisation")
            .order_by("code")[:MAX_FOUND]
        )
        # Volunteers by their code alone: they have no name-search hashes.
        volunteers = list(
            access.rights_volunteers(request.user)
            .filter(code__iexact=text)
            .select_related("organisation")[:MAX_FOUND]
        )
    return render(request, "privacy/rights.html", {"form": form, "found": found, "volunteers": volunteers})


@login_required
def rights_person(request: HttpRequest, pk: int) -> HttpResponse:
    person: Person = access.rights_person_or_404(request.user, pk)
    access.audit_view(request.user, person)
    return render(
        request,
        "privacy/rights_person.html",
        {
            "person": person,
            "erasure": Erasure.objects.filter(person=person).first(),
            "open_cases": person.cases.filter(status=Case.Status.OPEN).count(),
            "formats": export.FORMATS,
        },
    )


@login_required
def rights_export(request: HttpRequest, pk: int) -> HttpResponse:
    person: Person = access.rights_person_or_404(request.user, pk)
    fmt = request.GET.get("format", "html")
    access.require(fmt in export.FORMATS)
    content = export.render(export.person_data(person, get_language() or "en"), fmt)
    log(AuditEntry.Action.EXPORT, person, user=request.user)
    response = HttpResponse(content, content_type=export.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="person-{person.code}.{fmt}"'
    return response


@login_required
def rights_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person: Person = access.rights_person_or_404(request.user, pk)
    if Erasure.objects.filter(person=person).exists():
        messages.error(request, _("%(code)s was erased already.") % {"code": person.code})
        return redirect("privacy:rights-person", pk=person.pk)
    form = EraseForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            erase_person(person, acting_user=request.user)
        except AlreadyErased as error:
            messages.error(request, str(error))
        else:
            person.refresh_from_db()
            messages.success(
                request,
                _(
                    "The person was erased: their records now carry the code %(code)s and every figure of "
                    "every report stays the same."
                )
                % {"code": person.code},
            )
        return redirect("privacy:rights-person", pk=person.pk)
    return render(
        request,
        "privacy/erase.html",
        {
            "person": person,
            "form": form,
            "open_cases": person.cases.filter(status=Case.Status.OPEN).count(),
        },
    )


@login_required
def rights_volunteer_export(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer: Volunteer = access.rights_volunteer_or_404(request.user, pk)
    content = volunteer_rights.render(volunteer_rights.volunteer_data(volunteer, get_language() or "en"))
    log(AuditEntry.Action.EXPORT, volunteer, user=request.user)
    response = HttpResponse(content, content_type=export.CONTENT_TYPES["json"])
    response["Content-Disposition"] = f'attachment; filename="volunteer-{volunteer.code}.json"'
    return response


@login_required
def rights_volunteer_erase(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer: Volunteer = access.rights_volunteer_or_404(request.user, pk)
    if volunteer_rights.is_erased(volunteer):
        messages.error(request, _("%(code)s was erased already.") % {"code": volunteer.code})
        return redirect("privacy:rights")
    form = EraseVolunteerForm(request.POST or None, person=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = volunteer_rights.erase_volunteer(volunteer, acting_user=request.user)
        except AlreadyErased as error:
            messages.error(request, str(error))
        else:
            storage.clear_freed_bytes(places.tables())
            messages.success(
                request,
                _("The volunteer was erased: their record now carries the code %(code)s.")
                % {"code": volunteer.code},
            )
        return redirect("privacy:rights")
    return render(request, "privacy/erase_volunteer.html", {"volunteer": volunteer, "form": form})
