"""Pages where staff record and look up their work. Every read and write asks the access module first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from nextsteps.accounts import access
from nextsteps.links import addresses
from nextsteps.pagination import COUNT_LIMIT, CappedPaginator
from nextsteps.records import actions, listing, removal, versions
from nextsteps.records.forms import PAGE_FORMS, RecordForm, ServiceForm, VolunteerHoursForm
from nextsteps.records.kinds import KINDS, RecordKind, follow
from nextsteps.records.listing import ListFilter as ListFilter  # the API and tests import it from here
from nextsteps.records.listing import cell as _cell
from nextsteps.records.models import Case, Volunteer
from nextsteps.records.round import outreach_round  # noqa: F401  (the URLs name it here)
from nextsteps.reports import reported

PAGE_SIZE = 25


def _kind(kind: str) -> RecordKind:
    return KINDS[kind]


def record_url(kind: str, action: str, pk: int | None = None) -> str:
    return reverse(f"records:{kind}-{action}", args=[] if pk is None else [pk])


@login_required
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    access.require(access.can(request.user, kind))
    back = listing.remembered(request, spec.key)
    if back is not None:
        return redirect(f"{record_url(kind, 'list')}{'?' if back else ''}{back}")
    found = listing.listed(request.user, spec, request.GET)
    listing.remember(request, spec.key, found.filters)
    shown = found.queryset.defer(*listing.unread_secrets(spec))
    paginator = CappedPaginator(shown, PAGE_SIZE, COUNT_LIMIT, parts=found.parts, kept=True)
    page = paginator.get_page(request.GET.get("page"))
    links = addresses(f"records:{spec.key}-detail", [obj.pk for obj in page.object_list])
    rows = [listing.row(obj, spec, links[obj.pk]) for obj in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "records/list.html",
        {
            "spec": spec,
            "filters": found.filters,
            "filters_open": found.filters.active(),
            "page": page,
            "rows": rows,
            "headers": listing.headers(spec, found.sort, request.GET),
            "sort": found.sort.value if request.GET.get(listing.SORT) else "",
            "can_add": access.can(request.user, kind, access.ADD),
            "can_merge": kind == "person" and bool(access.merge_organisations(request.user)),
            "query": query.urlencode(),
        },
    )


@login_required
def record_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    obj = access.get_or_404(request.user, kind, pk)
    fields = [
        (f.verbose_name, _cell(obj, f.name))
        for f in obj._meta.concrete_fields
        if f.name not in {"id", "programme", "adult_on", "created_at", "updated_at"}
        and f.editable
        and not isinstance(f, models.AutoField)
    ]
    related: list[tuple[str, list[Any], str | None]] = []
    if kind == "case":
        related = [
            (
                _("Services"),
                list(obj.services.select_related("service_type")),
                reverse("records:case-service", args=[obj.pk])
                if access.can(request.user, "service", access.ADD, obj.organisation_id)
                else None,
            ),
            (_("Outcomes"), list(obj.outcomes.select_related("outcome_type")), None),
        ]
    if kind == "person":
        related = [(_("Cases"), list(access.scoped(request.user, "case").filter(person=obj)), None)]
    if kind == "visit":
        related = [(_("Persons reached"), list(obj.persons.all()), None)]
    if kind == "volunteer":
        related = volunteer_sections(obj)
    org_id = int(access.record_organisation_id(kind, obj))
    links: list[tuple[str, str]] = []
    if kind == "volunteer" and access.can(request.user, "volunteer", access.CHANGE, org_id):
        links.append((_("Record hours"), reverse("records:volunteer-hours", args=[obj.pk])))
    if kind == "person" and access.can(request.user, "case", access.ADD, org_id):
        links.append((_("Open a case"), f"{reverse('records:case-create')}?person={obj.pk}"))
    if kind == "case" and org_id in access.casework_organisations(request.user):
        links.insert(0, (_("Case file"), reverse("casework:case", args=[obj.pk])))
    if kind == "person" and access.can(request.user, "person", access.CHANGE, org_id):
        links.append((_("Consents"), reverse("privacy:consents", args=[obj.pk])))
    if kind == "person" and org_id in access.capability_organisations(request.user, access.PERSON_RIGHTS):
        links.append((_("Data-protection requests"), reverse("privacy:rights-person", args=[obj.pk])))
    if kind == "case" and access.can(request.user, "case", access.CHANGE, org_id):
        # Only the case's own organisation sees with whom it is shared, and shares it further.
        shares = [
            _("%(organisation)s, since %(date)s")
            % {"organisation": share.organisation, "date": share.shared_on}
            for share in obj.shares.select_related("organisation")
        ]
        related.append((_("Shared with"), shares, None))
        # Sharing is what accepting a referral does: the case page offers the referral, not a bare share.
        links.append((_("Refer to another organisation"), reverse("referrals:refer", args=[obj.pk])))
    if kind == "case" and access.can(request.user, "case", access.VIEW, org_id):
        links.append((_("Attachments"), reverse("attachments:case", args=[obj.pk])))
    if kind == "case":
        from nextsteps.referrals.timeline import case_referrals

        related.append((_("Referrals"), list(case_referrals(request.user, obj)), None))
    return render(
        request,
        "records/detail.html",
        {
            "spec": spec,
            "obj": obj,
            "fields": fields,
            "related": related,
            "can_change": access.can(request.user, kind, access.CHANGE, org_id),
            "can_delete": access.may_remove(request.user, kind, obj),
            "links": links,
        },
    )


# The screening a volunteer coordinator checks, in the order it is usually done.
SCREENING_STEPS = {
    "references_checked": gettext_lazy("References"),
    "certificate_checked": gettext_lazy("Criminal-record certificate"),
    "safeguarding_signed": gettext_lazy("Safeguarding agreement"),
    "confidentiality_signed": gettext_lazy("Confidentiality agreement"),
}


def volunteer_sections(volunteer: Any) -> list[tuple[str, list[Any], str | None]]:
    """The volunteer's pipeline for their page: each screening step done (on its date) or missing, and the
    hours they gave per month."""
    steps = [
        _("%(step)s: done on %(date)s")
        % {"step": label, "date": formats.date_format(getattr(volunteer, name))}
        if getattr(volunteer, name)
        else _("%(step)s: missing") % {"step": label}
        for name, label in SCREENING_STEPS.items()
    ]
    hours = [
        ngettext("%(month)s: %(hours)s hour", "%(month)s: %(hours)s hours", entry.hours)
        % {"month": formats.date_format(entry.month, "YEAR_MONTH_FORMAT"), "hours": entry.hours}
        for entry in volunteer.hours.all()
    ]
    return [(_("Screening"), steps, None), (_("Hours per month"), hours, None)]


def _save_form(form: RecordForm, user: Any, *, new: bool) -> Any:
    """Save through the actions layer; a rule only the model checks (a unique slug) becomes a form error.

    Returns None when the model refused the record, with its messages added to the form.
    """
    instance = form.save(commit=False)
    for name, value in form.extra_fields().items():
        setattr(instance, name, value)
    m2m = {
        name: form.cleaned_data[name]
        for name in form.cleaned_data
        if name in {f.name for f in instance._meta.many_to_many}
    }
    try:
        with transaction.atomic():
            form.before_save(instance, user)
            if new:
                return actions.save_new(instance, acting_user=user, m2m=m2m)
            # Only the record's own fields: a form field that helps fill one (a new name) is not one.
            own = {f.name for f in instance._meta.get_fields()}
            changed = [name for name in versions.changed_fields(form) if name in own]
            return actions.save_changes(
                instance,
                acting_user=user,
                changed=changed,
                m2m=m2m,
                expected_version=versions.expected_version(form),
                reason=form.cleaned_data.get(removal.CORRECTION_FIELD),
            )
    except versions.StaleEdit as stale:
        versions.show_stale(form, stale)
        return None
    except ValidationError as error:
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
        return None


def _record_programme(user: Any, obj: Any, spec: RecordKind) -> Any:
    """The programme the record belongs to, so that editing never moves it to the user's first programme."""
    if spec.programme_path is None:
        return access.programme_or_404(user, None)
    return follow(obj, spec.programme_path)


@login_required
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    access.require(access.can(request.user, kind, access.ADD))
    programme = access.programme_or_404(request.user, request.GET.get("programme"))
    form_class = PAGE_FORMS[kind]
    form = form_class(
        request.POST or None, user=request.user, programme=programme, initial=request.GET.dict()
    )
    if request.method == "POST" and form.is_valid():
        obj = _save_form(form, request.user, new=True)
        if obj is not None:
            messages.success(request, _("The %(kind)s was saved.") % {"kind": spec.label})
            return redirect(record_url(kind, "detail", obj.pk))
    return render(request, "records/form.html", {"spec": spec, "form": form, "new": True})


@login_required
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    obj = access.get_or_404(request.user, kind, pk, access.CHANGE)
    if request.method == "GET" and spec.person_level:
        # The edit form shows the same identifying details as the detail page, so opening it is a view.
        access.audit_view(request.user, obj)
    programme = _record_programme(request.user, obj, spec)
    form = PAGE_FORMS[kind](
        request.POST or None, instance=obj, user=request.user, programme=programme, action=access.CHANGE
    )
    # Asked of the record as stored, before the form sets the values it was sent.
    removal.add_correction_reason(form, reported=bool(reported.periods_touching(kind, obj)))
    if request.method == "POST" and form.is_valid() and _save_form(form, request.user, new=False):
        messages.success(request, _("Your changes were saved."))
        return redirect(record_url(kind, "detail", obj.pk))
    return render(
        request,
        "records/form.html",
        {
            "spec": spec,
            "form": form,
            "new": False,
            "obj": obj,
            "can_delete": access.may_remove(request.user, kind, obj),
        },
    )


@login_required
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    obj = access.removable_or_404(request.user, kind, pk)
    # The rule is the delete action's, the API's and every command's: the page only says it beforehand.
    blocked = actions.deletion_refusal(obj)
    # Said before anything is deleted: the figures of reports already sent that the removal would change.
    warnings: list[str] = []
    if not blocked:
        try:
            warnings = [change.sentence() for change in reported.removal_changes(kind, obj)]
        except actions.RecordKept as kept:  # a record that refers to it was saved since
            blocked = " ".join(kept.messages)
    form = removal.RemovalForm(request.POST or None, warned=bool(warnings))
    if request.method == "POST":
        if blocked:
            messages.error(request, blocked)
            return redirect(record_url(kind, "detail", pk))
        if form.is_valid():
            try:
                actions.delete_record(obj, acting_user=request.user, reason=form.cleaned_data["reason"])
            except actions.RecordKept as kept:
                for message in kept.messages:
                    messages.error(request, message)
                return redirect(record_url(kind, "detail", pk))
            messages.success(request, _("The %(kind)s was deleted.") % {"kind": spec.label})
            return redirect(record_url(kind, "list"))
    return render(
        request,
        "records/confirm_delete.html",
        {"spec": spec, "obj": obj, "blocked": blocked, "form": form, "warnings": warnings},
    )


# Stages at which a volunteer is on the way to becoming active.
ON_THE_WAY = (Volunteer.Stage.APPLIED, Volunteer.Stage.SCREENING, Volunteer.Stage.TRAINING)


@login_required
def volunteers_waiting(request: HttpRequest) -> HttpResponse:
    """A volunteer coordinator's list of who is waiting for what: the volunteers on their way to becoming
    active, each with the screening still missing and whether they have had any training."""
    access.require(access.can(request.user, "volunteer"))
    waiting = (
        access.scoped(request.user, "volunteer").filter(stage__in=ON_THE_WAY).order_by("signed_up", "pk")
    )
    rows = []
    for volunteer in waiting.select_related("organisation")[:COUNT_LIMIT]:
        missing = [str(label) for name, label in SCREENING_STEPS.items() if not getattr(volunteer, name)]
        if not volunteer.training_sessions:
            missing.append(_("Training"))
        rows.append((volunteer, missing))
    return render(request, "records/volunteers_waiting.html", {"rows": rows})


@login_required
def volunteer_hours(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the hours a volunteer gave in a month; a month recorded before gets the new figure."""
    volunteer = access.get_or_404(request.user, "volunteer", pk, access.CHANGE)
    form = VolunteerHoursForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_volunteer_hours(
                volunteer,
                acting_user=request.user,
                month=form.cleaned_data["month"],
                hours=form.cleaned_data["hours"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The hours were saved."))
            return redirect(record_url("volunteer", "detail", volunteer.pk))
    return render(request, "records/volunteer_hours.html", {"form": form, "obj": volunteer})


@login_required
def case_service(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a service delivered to one case: the caseworker's most frequent entry."""
    case: Case = access.get_or_404(request.user, "case", pk)
    access.require(access.can(request.user, "service", access.ADD, case.organisation_id))
    form = ServiceForm(
        request.POST or None,
        user=request.user,
        programme=case.programme,
        initial={"case": case.pk, "date": dt.date.today()},
    )
    if request.method == "POST" and form.is_valid() and _save_form(form, request.user, new=True) is not None:
        messages.success(request, _("The service was saved."))
        return redirect(record_url("case", "detail", case.pk))
    return render(
        request, "records/form.html", {"spec": KINDS["service"], "form": form, "new": True, "case": case}
    )
