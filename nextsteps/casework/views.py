"""The caseworker's pages: My cases, the case file (the case page as a workspace), its actions, and the
coordinators' caseload. Every page asks the access module; a case of another organisation answers 404."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nextsteps import rendering
from nextsteps.accounts import access
from nextsteps.audit.log import WRITES
from nextsteps.audit.models import AuditEntry
from nextsteps.casework import actions
from nextsteps.casework.forms import (
    AssessmentForm,
    AssignForm,
    CloseForm,
    DoneForm,
    FollowUpEditForm,
    FollowUpForm,
    GoalEditForm,
    GoalForm,
    NoteForm,
    PlannedActionForm,
    ServiceFromPlanForm,
)
from nextsteps.casework.models import Assessment, CaseNote, FollowUp, Goal, PlannedAction, RiskLevel
from nextsteps.casework.sections import sections_for
from nextsteps.links import addresses
from nextsteps.pagination import COUNT_LIMIT, CappedPaginator
from nextsteps.privacy.models import Consent, valid_on
from nextsteps.privacy.search import persons_matching
from nextsteps.programmes.models import Organisation
from nextsteps.programmes.views import add_errors
from nextsteps.records import listing, versions
from nextsteps.records.models import Case, Outcome, ServiceDelivery
from nextsteps.referrals.models import Referral

PAGE_SIZE = 25


def case_url(case: Any) -> str:
    return reverse("casework:case", args=[case.pk])


# My cases ---------------------------------------------------------------------------------------------


class MyCasesFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Code or whole name"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("status"),
        required=False,
        choices=[
            ("open", gettext_lazy("open")),
            ("closed", gettext_lazy("closed")),
            ("all", gettext_lazy("all")),
        ],
    )
    risk = forms.ChoiceField(
        label=gettext_lazy("risk level"), required=False, choices=[("", "---------"), *RiskLevel.choices]
    )
    overdue = forms.BooleanField(label=gettext_lazy("Only with overdue follow-ups"), required=False)
    scope = forms.ChoiceField(
        label=gettext_lazy("Cases"),
        required=False,
        choices=[("mine", gettext_lazy("assigned to me")), ("organisation", gettext_lazy("my organisation"))],
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("next", gettext_lazy("next follow-up")),
            ("overdue", gettext_lazy("overdue follow-ups")),
            ("risk", gettext_lazy("risk level")),
            ("activity", gettext_lazy("last activity")),
            ("code", gettext_lazy("code")),
        ],
    )


RISK_ORDER = {"high": 3, "medium": 2, "low": 1}


def case_columns(today: dt.date) -> dict[str, Callable[[], Any]]:
    """What a caseload list shows of each case, by name, each a subquery: one query whatever the number of
    cases. Built on demand: a page computes for every case only the columns it filters and sorts by. (The
    next follow-up is the case's own column, kept by triggers: casework/next_follow_up.py.)"""
    open_follow_ups = FollowUp.objects.filter(case=OuterRef("pk"), done__isnull=True)

    def latest_date(model: Any) -> Subquery:
        return Subquery(
            model.objects.filter(case=OuterRef("pk"))
            .order_by()
            .values("case")
            .annotate(d=Max("date"))
            .values("d")
        )

    def risk() -> Any:
        latest = Assessment.objects.filter(case=OuterRef("pk")).order_by("-date", "-pk")
        return Subquery(latest.values("risk_level")[:1])

    def overdue_count() -> Any:
        overdue = (
            open_follow_ups.filter(due__lt=today)
            .order_by()
            .values("case")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0))

    return {
        "risk": risk,
        "overdue_count": overdue_count,
        "last_activity": lambda: Greatest(
            Coalesce(latest_date(ServiceDelivery), F("opened")),
            Coalesce(latest_date(Outcome), F("opened")),
            Coalesce(latest_date(CaseNote), F("opened")),
            F("opened"),
        ),
    }


def annotated_cases(
    cases: QuerySet[Any], today: dt.date, names: Iterable[str] | None = None
) -> QuerySet[Any]:
    """`cases` with the columns `names` (all by default) that they do not have yet."""
    columns = case_columns(today)
    wanted = [name for name in (columns if names is None else names) if name not in cases.query.annotations]
    return cases.annotate(**{name: columns[name]() for name in wanted})


def case_list(today: dt.date, names: Iterable[str] | None = None, *, shown: bool = False) -> QuerySet[Any]:
    """All cases with the columns `names` (all by default), a copy for the caller to filter. `shown`: only
    what a list shows of each case and its person (whose encrypted names a code does not need)."""
    key = (today, None if names is None else tuple(names), shown)
    if key not in KEPT_LISTS:
        # Kept for the day: building the columns' subqueries costs a list about 2 ms on every request,
        # copying the built ones almost nothing.
        if any(kept_day != today for kept_day, *_rest in KEPT_LISTS):
            KEPT_LISTS.clear()
        cases = Case.objects.select_related("person", "caseworker")
        if shown:
            cases = cases.only("status", "opened", "next_follow_up", "person__code", "caseworker__username")
        KEPT_LISTS[key] = annotated_cases(cases, today, names)
    # A copy: the kept list is never read itself, so no case stays in memory for the next reader.
    return KEPT_LISTS[key].all()


KEPT_LISTS: dict[tuple[Any, ...], QuerySet[Any]] = {}


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    orgs = access.casework_organisations(request.user)
    access.require(bool(orgs))
    back = listing.remembered(request, "my-cases")
    if back is not None:
        return redirect(f"{reverse('casework:mine')}{'?' if back else ''}{back}")
    filters, cases = my_cases_listed(request.user, request.GET)
    listing.remember(request, "my-cases", filters)
    today = dt.date.today()
    paginator = CappedPaginator(cases, PAGE_SIZE, COUNT_LIMIT, kept=True)
    page = paginator.get_page(request.GET.get("page"))
    # The page in two steps: the keys of its cases in the list's order, which computes for every case only
    # what the list is filtered and sorted by, then those cases with every column. In one query each of a
    # caseload's thousands of cases would have every column computed before the sort.
    first = (page.number - 1) * PAGE_SIZE
    keys = list(cases[first : first + PAGE_SIZE].values_list("pk", flat=True))
    # By the keys just listed, and within the reader's organisations all the same: a person-level read.
    shown = {
        case.pk: case for case in case_list(today, shown=True).filter(pk__in=keys, organisation__in=orgs)
    }
    links = addresses("casework:case", keys)
    rows = [(shown[key], case_row(shown[key], links[key])) for key in keys if key in shown]
    page.object_list = [case for case, _row in rows]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/my_cases.html",
        {"filters": filters, "page": page, "rows": rows, "today": today, "query": query.urlencode()},
    )


def case_row(case: Any, address: str) -> SafeString:
    """A row of My cases, its cells written out in Python as records.listing.row writes a list's (why: there)."""
    closed = f" ({rendering.text(_('closed'))})" if case.status == "closed" else ""
    # The level's label; no assessment yet is a dash.
    risk = RiskLevel(case.risk).label if case.risk in RiskLevel.values else None
    overdue = f"<strong>{rendering.text(case.overdue_count)}</strong>" if case.overdue_count else "0"
    cells = [
        f'<td><a href="{rendering.text(address)}">{rendering.text(case.person.code)}</a>{closed}</td>',
        f"<td>{rendering.text(str(risk)) if risk is not None else '–'}</td>",
        f"<td>{rendering.shown(case.next_follow_up)}</td>",
        f'<td class="num">{overdue}</td>',
        f"<td>{rendering.shown(case.last_activity)}</td>",
        f"<td>{rendering.text(case.caseworker) if case.caseworker else '–'}</td>",
    ]
    return mark_safe("\n    ".join(cells))


def my_cases_listed(user: Any, params: Any) -> tuple[MyCasesFilter, QuerySet[Any]]:
    """The cases of My cases as `params` filter and sort them (the page and its download read the same)."""
    orgs = access.casework_organisations(user)
    access.require(bool(orgs))
    filters = MyCasesFilter(params or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    today = dt.date.today()
    sort = data.get("sort") or "next"
    # Only the columns the list is filtered or sorted by: each is computed for every case listed.
    columns = [
        name
        for name, used in (
            ("risk", data.get("risk") or sort == "risk"),
            ("overdue_count", data.get("overdue") or sort == "overdue"),
            ("last_activity", sort == "activity"),
        )
        if used
    ]
    cases = case_list(today, columns).filter(organisation__in=orgs)
    status = data.get("status") or "open"
    if status != "all":
        cases = cases.filter(status=status)
    if (data.get("scope") or "mine") == "mine":
        # The cases they help with, read first (a few keys): without any, the list and its count read the
        # caseworker's index alone; an OR with them makes the database look up each case's row.
        helped = list(Case.co_workers.through.objects.filter(user=user).values_list("case_id", flat=True))
        cases = (
            cases.filter(Q(caseworker=user) | Q(pk__in=helped)) if helped else cases.filter(caseworker=user)
        )
    if data.get("risk"):
        cases = cases.filter(risk=data["risk"])
    if data.get("overdue"):
        cases = cases.filter(overdue_count__gt=0)
    if data.get("q"):
        text = data["q"].strip()
        people = persons_matching(access.scoped(user, "person"), text).values("pk")
        cases = cases.filter(Q(person__code__icontains=text) | Q(person__in=people))
    order = {
        "next": [F("next_follow_up").asc(nulls_last=True)],
        "overdue": [F("overdue_count").desc()],
        "risk": [F("risk").asc(nulls_last=True)],
        "activity": [F("last_activity").desc()],
        "code": [F("person__code").asc()],
    }[sort]
    return filters, cases.order_by(*order, "pk")


# Caseload for coordinators --------------------------------------------------------------------------


def caseload_organisations(user: Any) -> list[int]:
    """Coordinators see the caseload of their organisations: counts only, no person."""
    return access.organisations_for(user, "case", access.DELETE)


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    orgs = caseload_organisations(request.user)
    access.require(bool(orgs))
    rows = caseload_rows(orgs)
    # Per organisation, referrals waiting for an answer: those it received (a caseworker of its own is
    # named only on accepting) and those it sent. Counts only, in one query.
    pending = (
        Organisation.objects.filter(pk__in=orgs)
        .annotate(
            received=Count(
                "referrals_received",
                filter=Q(referrals_received__state=Referral.State.SENT),
                distinct=True,
            ),
            sent=Count("referrals_sent", filter=Q(referrals_sent__state=Referral.State.SENT), distinct=True),
        )
        .order_by("name")
    )
    return render(request, "casework/caseload.html", {"rows": list(rows), "pending": list(pending)})


def caseload_rows(orgs: list[int]) -> QuerySet[Any]:
    """Per organisation and caseworker, counts of their open cases (the page and its download)."""
    today = dt.date.today()
    open_cases = Case.objects.filter(organisation__in=orgs, status=Case.Status.OPEN)
    return (
        open_cases.values(
            "organisation__name", "caseworker__username", "caseworker__first_name", "caseworker__last_name"
        )
        .annotate(
            cases=Count("pk", distinct=True),
            overdue=Count(
                "follow_ups",
                filter=Q(follow_ups__done__isnull=True, follow_ups__due__lt=today),
                distinct=True,
            ),
            high_risk=Count("pk", filter=Q(pk__in=_high_risk_cases()), distinct=True),
            # Referrals the caseworker's cases sent that the other organisation has not answered yet.
            pending_referrals=Count(
                "referrals", filter=Q(referrals__state=Referral.State.SENT), distinct=True
            ),
        )
        .order_by("organisation__name", "caseworker__username")
    )


def _high_risk_cases() -> QuerySet[Any]:
    latest = Assessment.objects.filter(case=OuterRef("case")).order_by("-date", "-pk").values("pk")[:1]
    return Assessment.objects.filter(pk=Subquery(latest), risk_level=RiskLevel.HIGH).values("case")


# The case file ----------------------------------------------------------------------------------------


@login_required
def case_file(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = access.casework_case_or_404(user, pk)
    can_write = access.can(user, "case", access.CHANGE, case.organisation_id)
    assessments = list(case.assessments.prefetch_related("needs").select_related("author"))
    goals = list(
        case.goals.prefetch_related(
            "actions__service_type", "actions__responsible_user", "actions__partner", "actions__services"
        )
    )
    services = list(case.services.select_related("service_type"))
    outcomes = list(case.outcomes.select_related("outcome_type"))
    follow_ups = list(case.follow_ups.select_related("assigned_to"))
    notes = list(case.notes.select_related("author"))
    editable_notes = {note.pk for note in notes if can_write and access.may_edit_note(user, note)}
    actions.log_note_reads(case, notes, user=user)
    today = dt.date.today()
    consents = list(Consent.objects.filter(valid_on(today), person=case.person).select_related("shared_with"))
    sections = sections_for(case, request)
    # A role that reads case files but not the records of services (the data-protection officer) sees them
    # named, not linked: a link would lead to a page that does not exist for them.
    can_open_services = access.can(user, "service", access.VIEW, case.organisation_id)
    can_open_outcomes = access.can(user, "outcome", access.VIEW, case.organisation_id)
    context = {
        "case": case,
        "can_write": can_write,
        "can_record_outcome": access.can(user, "outcome", access.ADD, case.organisation_id),
        "can_record_service": access.can(user, "service", access.ADD, case.organisation_id),
        "can_see_person": access.scoped(user, "person").filter(pk=case.person_id).exists(),
        "latest": assessments[0] if assessments else None,
        "assessments": assessments,
        "goals": goals,
        "services": services,
        "outcomes": outcomes,
        "can_open_services": can_open_services,
        "can_open_outcomes": can_open_outcomes,
        "follow_ups": follow_ups,
        "notes": notes,
        "editable_notes": editable_notes,
        "consents": consents,
        "services_consent": any(c.purpose == Consent.Purpose.SERVICES for c in consents),
        "sections": sections,
        "timeline": _timeline(
            case,
            assessments,
            goals,
            services,
            outcomes,
            follow_ups,
            notes,
            [item for section in sections for item in section["timeline"]],
            can_open_services=can_open_services,
            can_open_outcomes=can_open_outcomes,
        ),
        "today": today,
    }
    return render(request, "casework/case.html", context)


def _timeline(
    case: Case,
    assessments: list[Assessment],
    goals: list[Goal],
    services: list[ServiceDelivery],
    outcomes: list[Outcome],
    follow_ups: list[FollowUp],
    notes: list[CaseNote],
    from_sections: list[dict[str, Any]],
    *,
    can_open_services: bool = True,
    can_open_outcomes: bool = True,
) -> list[dict[str, Any]]:
    """Everything dated on the case, newest first: its records, what was done to the case itself, and what
    the other apps' sections date on it (a referral's steps)."""
    here = case_url(case)
    items: list[dict[str, Any]] = [
        {"date": case.opened, "text": _("Case opened"), "url": here},
        *from_sections,
    ]
    if case.closed:
        items.append({"date": case.closed, "text": _("Case closed"), "url": here})
    items += [
        {
            "date": s.date,
            "text": _("Service: %(type)s") % {"type": s.service_type},
            "url": reverse("records:service-detail", args=[s.pk]) if can_open_services else None,
        }
        for s in services
    ]
    items += [
        {
            "date": o.date,
            "text": _("Outcome: %(type)s") % {"type": o.outcome_type},
            "url": reverse("records:outcome-detail", args=[o.pk]) if can_open_outcomes else None,
        }
        for o in outcomes
    ]
    items += [
        {
            "date": a.date,
            "text": _("Assessment: risk %(risk)s") % {"risk": a.get_risk_level_display()},
            "url": f"{here}#assessment-{a.pk}",
        }
        for a in assessments
    ]
    items += [
        {
            "date": n.date,
            "text": _("Note by %(author)s") % {"author": n.author or "–"},
            "url": f"{here}#note-{n.pk}",
        }
        for n in notes
    ]
    items += [
        {"date": f.done, "text": _("Follow-up done"), "url": f"{here}#follow-up-{f.pk}"}
        for f in follow_ups
        if f.done
    ]
    entries = AuditEntry.objects.filter(
        model="records.Case", object_pk=str(case.pk), action__in=WRITES
    ).select_related("user")
    items += [
        {
            "date": timezone.localdate(e.at),
            "text": _("%(action)s by %(user)s: %(fields)s")
            % {
                "action": e.get_action_display(),
                "user": e.user or _("the system"),
                "fields": ", ".join(e.fields),
            },
            "url": here,
        }
        for e in entries
    ]
    return sorted((i for i in items if i["date"]), key=lambda i: i["date"], reverse=True)


def _writable(request: HttpRequest, pk: int) -> Case:
    case: Case = access.casework_case_or_404(request.user, pk, access.CHANGE)
    return case


def _form_page(
    request: HttpRequest, case: Case, form: forms.BaseForm, title: str, **extra: Any
) -> HttpResponse:
    return render(request, "casework/form.html", {"case": case, "form": form, "title": title, **extra})


def _add_page(
    request: HttpRequest,
    case: Case,
    form: forms.BaseForm,
    write: Callable[[], Any],
    *,
    title: str,
    saved: str,
    **extra: Any,
) -> HttpResponse:
    """A form that adds to the case file: on a valid POST, write; the model's refusals go on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            write()
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect(case_url(case))
    return _form_page(request, case, form, title, **extra)


@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    form = AssignForm(
        request.POST or None,
        case=case,
        initial={"caseworker": case.caseworker_id, "co_workers": list(case.co_workers.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.assign_case(
                case,
                acting_user=request.user,
                caseworker=form.cleaned_data["caseworker"],
                co_workers=form.cleaned_data["co_workers"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The case was assigned."))
            return redirect(case_url(case))
    return _form_page(request, case, form, _("Assign the case"))


@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    form = CloseForm(request.POST or None, initial={"closed": dt.date.today()})
    pending: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.close_case(
                case,
                acting_user=request.user,
                reason=data["closure_reason"],
                closed=data["closed"],
                confirmed=data["confirmed"],
            )
        except actions.NeedsConfirmation:
            # The summary above the form names what is still open; a message saying it again is noise.
            pending = actions.open_items(case)
            form = CloseForm({**request.POST.dict(), "confirmed": "on"})
            form.is_valid()
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The case was closed."))
            return redirect(case_url(case))
    return _form_page(request, case, form, _("Close the case"), pending=pending)


@login_required
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    if request.method == "POST":
        try:
            actions.reopen_case(case, acting_user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The case was reopened."))
        return redirect(case_url(case))
    return render(request, "casework/confirm.html", {"case": case, "title": _("Reopen the case")})


@login_required
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    form = NoteForm(request.POST or None, initial={"date": dt.date.today()})
    return _add_page(
        request,
        case,
        form,
        lambda: actions.add_note(case, acting_user=request.user, **form.cleaned_data),
        title=_("Add a note"),
        saved=_("The note was saved."),
    )


@login_required
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    form = FollowUpForm(request.POST or None, case=case, initial={"assigned_to": request.user.pk})
    return _add_page(
        request,
        case,
        form,
        lambda: actions.add_follow_up(case, acting_user=request.user, **form.cleaned_data),
        title=_("Add a follow-up"),
        saved=_("The follow-up was saved."),
    )


@login_required
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = access.case_file_item_or_404(request.user, FollowUp, pk, access.CHANGE)
    case = follow_up.case
    form = _with_version(DoneForm(request.POST or None, initial={"done": dt.date.today()}), follow_up)
    if request.method == "POST" and form.is_valid():
        try:
            actions.complete_follow_up(
                follow_up,
                acting_user=request.user,
                done=form.cleaned_data["done"],
                expected_version=versions.expected_version(form),
            )
        except versions.StaleEdit as stale:
            versions.show_stale(form, stale)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The follow-up is done."))
            return redirect(case_url(case))
    return _form_page(request, case, form, _("Mark the follow-up done"), item=follow_up.what)


@login_required
def assessment_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    form = AssessmentForm(request.POST or None, initial={"date": dt.date.today()})
    return _add_page(
        request,
        case,
        form,
        lambda: actions.add_assessment(case, acting_user=request.user, **form.cleaned_data),
        title=_("Add an assessment"),
        saved=_("The assessment was saved."),
    )


@login_required
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    form = GoalForm(request.POST or None)
    return _add_page(
        request,
        case,
        form,
        lambda: actions.add_goal(case, acting_user=request.user, text=form.cleaned_data["text"]),
        title=_("Add a goal"),
        saved=_("The goal was saved."),
    )


@login_required
def planned_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    goal = access.case_file_item_or_404(request.user, Goal, pk, access.CHANGE)
    case = goal.case
    form = PlannedActionForm(request.POST or None, case=case)
    return _add_page(
        request,
        case,
        form,
        lambda: actions.add_planned_action(goal, acting_user=request.user, **_model_form_values(form)),
        title=_("Add a planned action"),
        saved=_("The planned action was saved."),
    )


@login_required
def service_from_plan(request: HttpRequest, pk: int) -> HttpResponse:
    orgs = access.casework_organisations(request.user, access.CHANGE)
    planned = access.first_or_404(
        PlannedAction.objects.filter(pk=pk, goal__case__organisation__in=orgs).select_related(
            "goal__case", "service_type"
        )
    )
    case = planned.goal.case
    access.require(access.can(request.user, "service", access.ADD, case.organisation_id))
    form = ServiceFromPlanForm(request.POST or None, initial={"date": dt.date.today(), "done": True})
    return _add_page(
        request,
        case,
        form,
        lambda: actions.record_service_from_plan(planned, acting_user=request.user, **form.cleaned_data),
        title=_("Record the service"),
        saved=_("The service was saved."),
        item=planned,
    )


# Editing the items of a case file ---------------------------------------------------------------------
# Each edit saves only over the version its form was opened at: a stale save shows who changed what, with
# the editor's own input kept on the form (nextsteps/records/versions.py).


def _edit_page(
    request: HttpRequest,
    case: Case,
    item: Any,
    form: forms.BaseForm,
    save: Callable[[int | None], Any],
    *,
    title: str,
    saved: str,
    anchor: str,
) -> HttpResponse:
    if request.method == "GET":
        # The form shows what the item says about the person: opening it is a read.
        access.audit_view(request.user, item)
    if request.method == "POST" and form.is_valid():
        try:
            save(versions.expected_version(form))
        except versions.StaleEdit as stale:
            versions.show_stale(form, stale)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect(f"{case_url(case)}#{anchor}")
    return _form_page(request, case, form, title)


def _with_version(form: forms.BaseForm, item: Any) -> forms.BaseForm:
    form.fields["version"] = versions.VersionField(initial=item.version)
    return form


def _model_form_values(form: forms.ModelForm[Any]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form._meta.fields or ()}


@login_required
def follow_up_edit(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = access.case_file_item_or_404(request.user, FollowUp, pk, access.CHANGE)
    case = follow_up.case
    initial = {"what": follow_up.what, "due": follow_up.due, "assigned_to": follow_up.assigned_to_id}
    form = FollowUpEditForm(request.POST or None, case=case, initial={**initial, "done": follow_up.done})
    _with_version(form, follow_up)

    def save(expected: int | None) -> Any:
        values = {name: form.cleaned_data[name] for name in ("what", "due", "assigned_to", "done")}
        return actions.update_follow_up(
            follow_up, acting_user=request.user, expected_version=expected, **values
        )

    return _edit_page(
        request,
        case,
        follow_up,
        form,
        save,
        title=_("Edit the follow-up"),
        saved=_("The follow-up was saved."),
        anchor=f"follow-up-{follow_up.pk}",
    )


@login_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = access.case_file_item_or_404(request.user, Goal, pk, access.CHANGE)
    form = GoalEditForm(request.POST or None, initial={"text": goal.text, "status": goal.status})
    _with_version(form, goal)

    def save(expected: int | None) -> Any:
        values = {name: form.cleaned_data[name] for name in ("text", "status")}
        return actions.update_goal(goal, acting_user=request.user, expected_version=expected, **values)

    return _edit_page(
        request,
        goal.case,
        goal,
        form,
        save,
        title=_("Edit the goal"),
        saved=_("The goal was saved."),
        anchor=f"goal-{goal.pk}",
    )


@login_required
def planned_action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    planned = access.case_file_item_or_404(
        request.user, PlannedAction, pk, access.CHANGE, case_path="goal__case"
    )
    case = planned.goal.case
    # The form checks its input on a copy: the action compares the values with the item as stored.
    form = PlannedActionForm(request.POST or None, instance=copy.copy(planned), case=case)
    versions.add_version_field(form)

    def save(expected: int | None) -> Any:
        return actions.update_planned_action(
            planned, acting_user=request.user, expected_version=expected, **_model_form_values(form)
        )

    return _edit_page(
        request,
        case,
        planned,
        form,
        save,
        title=_("Edit the planned action"),
        saved=_("The planned action was saved."),
        anchor=f"action-{planned.pk}",
    )


@login_required
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.case_file_item_or_404(request.user, Assessment, pk, access.CHANGE)
    case = assessment.case
    form = AssessmentForm(request.POST or None, instance=copy.copy(assessment))
    versions.add_version_field(form)

    def save(expected: int | None) -> Any:
        return actions.update_assessment(
            assessment, acting_user=request.user, expected_version=expected, **_model_form_values(form)
        )

    return _edit_page(
        request,
        case,
        assessment,
        form,
        save,
        title=_("Edit the assessment"),
        saved=_("The assessment was saved."),
        anchor=f"assessment-{assessment.pk}",
    )


@login_required
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = access.case_file_item_or_404(request.user, CaseNote, pk, access.CHANGE)
    # Someone else's note answers 404 like a case of another organisation: its author or a coordinator only.
    access.require(access.may_edit_note(request.user, note))
    form = NoteForm(request.POST or None, initial={"date": note.date, "text": note.text})
    _with_version(form, note)

    def save(expected: int | None) -> Any:
        values = {name: form.cleaned_data[name] for name in ("date", "text")}
        return actions.update_note(note, acting_user=request.user, expected_version=expected, **values)

    return _edit_page(
        request,
        note.case,
        note,
        form,
        save,
        title=_("Edit the note"),
        saved=_("The note was saved."),
        anchor=f"note-{note.pk}",
    )
