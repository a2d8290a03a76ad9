"""Pages where staff record and look up their work. Every read and write asks the access module first."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length, Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.pagination import COUNT_LIMIT, CappedPaginator
from nextsteps.programmes.models import Organisation
from nextsteps.records import actions, listing, versions
from nextsteps.records.forms import PAGE_FORMS, NewPersonFormSet, OutreachRoundForm, RecordForm, ServiceForm
from nextsteps.records.kinds import KINDS, RecordKind
from nextsteps.records.listing import ListFilter as ListFilter  # the API and tests import it from here
from nextsteps.records.listing import cell as _cell
from nextsteps.records.models import Case, Person

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
    paginator = CappedPaginator(found.queryset, PAGE_SIZE, COUNT_LIMIT)
    page = paginator.get_page(request.GET.get("page"))
    rows = [(obj, [_cell(obj, column) for column in spec.list_columns]) for obj in page.object_list]
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
    org_id = _organisation_id(obj, spec)
    links: list[tuple[str, str]] = []
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
            "can_delete": access.can(request.user, kind, access.DELETE, org_id),
            "links": links,
        },
    )


def _follow(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def _organisation_id(obj: Any, spec: RecordKind) -> int:
    return int(_follow(obj, spec.organisation_path).pk)


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
    return _follow(obj, spec.programme_path)


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
    if request.method == "POST" and form.is_valid() and _save_form(form, request.user, new=False):
        messages.success(request, _("Your changes were saved."))
        return redirect(record_url(kind, "detail", obj.pk))
    return render(request, "records/form.html", {"spec": spec, "form": form, "new": False, "obj": obj})


@login_required
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    spec = _kind(kind)
    obj = access.get_or_404(request.user, kind, pk, access.DELETE)
    # The rule is the delete action's, the API's and every command's: the page only says it beforehand.
    blocked = actions.deletion_refusal(obj)
    if request.method == "POST":
        try:
            actions.delete_record(obj, acting_user=request.user)
        except actions.RecordKept as kept:
            for message in kept.messages:
                messages.error(request, message)
            return redirect(record_url(kind, "detail", pk))
        messages.success(request, _("The %(kind)s was deleted.") % {"kind": spec.label})
        return redirect(record_url(kind, "list"))
    return render(request, "records/confirm_delete.html", {"spec": spec, "obj": obj, "blocked": blocked})


# How often a round is tried again when a code it generated was taken by someone saving at the same time.
ROUND_ATTEMPTS = 3


@login_required
def outreach_round(request: HttpRequest) -> HttpResponse:
    """The fastest path for outreach workers: one visit per household, and new people met on the way."""
    access.require(access.can(request.user, "visit", access.ADD))
    programme = access.programme_or_404(request.user, request.GET.get("programme"))
    form = OutreachRoundForm(request.POST or None, user=request.user, initial={"date": dt.date.today()})
    newcomers = NewPersonFormSet(request.POST or None, prefix="new")
    if request.method == "POST":
        # Both are validated, so that every mistake is shown at once; the codes are checked against the
        # organisation the round is for.
        round_valid = form.is_valid()
        newcomers.organisation = form.cleaned_data.get("organisation") if round_valid else None
        if round_valid and newcomers.is_valid():
            visits = _save_round(request.user, programme, form, newcomers)
            if visits is not None:
                messages.success(
                    request,
                    _("The outreach round was saved: %(visits)s visits, %(people)s people reached.")
                    % {"visits": len(visits), "people": sum(v.persons.count() for v in visits)},
                )
                return redirect(record_url("visit", "list"))
    return render(request, "records/outreach_round.html", {"form": form, "newcomers": newcomers})


def _save_round(user: Any, programme: Any, form: OutreachRoundForm, newcomers: Any) -> list[Any] | None:
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
            # Someone saved a person with one of these codes since the form was checked: a typed code
            # is the user's to change, a generated one is simply generated again.
            newcomers.full_clean()
            if not newcomers.is_valid():
                return None
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
) -> list[Any]:
    org = data["organisation"]
    people = list(data["persons"])
    for row in new_rows:
        code = (row.get("code") or "").strip() or _next_code(org, reserved)
        people.append(
            actions.create_record(
                Person,
                acting_user=user,
                organisation=org,
                code=code,
                sex=row["sex"],
                birth_year=row.get("birth_year"),
            )
        )
    common = {
        "acting_user": user,
        "programme": programme,
        "organisation": org,
        "date": data["date"],
        "locality": data["locality"],
        "site_type": data["site_type"],
    }
    visits = [
        actions.record_outreach_round(household=household, persons=household.members.all(), **common)
        for household in data["households"]
    ]
    if people:
        visits.append(actions.record_outreach_round(persons=people, **common))
    return visits


def _next_code(org: Organisation, reserved: Collection[str] = ()) -> str:
    """The code after the highest numbered one of the organisation (`SAL-00042`), never one it already
    uses or one typed elsewhere in the same round, whatever their case: counting persons would reuse a
    code after a delete."""
    prefix = f"{org.slug[:3].upper()}-"
    persons = Person.objects.filter(organisation=org)
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
