"""The referral pages: the inbox and the sent list, a referral with its steps, the page of each step and the
"refer" page of a case. Every page asks the access module first; what a user may not reach answers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.privacy.consents import has_sharing_consent
from nextsteps.programmes.views import add_errors
from nextsteps.records import column_sort
from nextsteps.records.models import Case
from nextsteps.referrals import actions
from nextsteps.referrals.forms import ReferForm
from nextsteps.referrals.models import Referral
from nextsteps.referrals.steps import STEPS
from nextsteps.referrals.timeline import steps

State = Referral.State


def listed_referrals(queryset: Any) -> Any:
    return queryset.select_related("case__person", "from_organisation", "to_organisation").prefetch_related(
        "services"
    )


def columns() -> list[column_sort.Column]:
    """The inbox's columns, as its tables and its download show them; all but the services sort."""
    return [
        column_sort.Column("person", _("Person"), column_sort.by("case__person__code")),
        column_sort.Column("from", _("From"), column_sort.by("from_organisation__name")),
        column_sort.Column("to", _("To"), column_sort.by("to_organisation__name")),
        column_sort.Column("services", _("Services asked for")),
        column_sort.Column(
            "urgency", _("Urgency"), column_sort.choice_order("urgency", Referral.Urgency.choices)
        ),
        column_sort.Column("sent_on", _("Sent on"), column_sort.by("sent_on")),
        column_sort.Column("state", _("State"), column_sort.choice_order("state", Referral.State.choices)),
    ]


def inbox(user: Any, params: Any) -> tuple[list[int], column_sort.Sort, Any]:
    """The user's case organisations, the order asked for and the referrals they may see, in that order
    (the page and its download read the same)."""
    orgs = access.organisations_for(user, "case")
    access.require(bool(orgs))
    sort = column_sort.requested(columns(), params.get(column_sort.SORT))
    visible = column_sort.ordered(access.referrals(user), columns(), sort, "-sent_on", "-pk")
    return orgs, sort, visible


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The referrals the user's organisations received (those waiting for an answer first) and sent."""
    orgs, sort, visible = inbox(request.user, request.GET)
    received = listed_referrals(visible.filter(to_organisation__in=orgs))
    return render(
        request,
        "referrals/index.html",
        {
            "waiting": list(received.filter(state=State.SENT)),
            "received": list(received.exclude(state=State.SENT)),
            "sent": list(listed_referrals(visible.filter(from_organisation__in=orgs))),
            "headers": column_sort.headers(columns(), sort, request.GET),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral: Referral = access.referral_or_404(request.user, pk)
    user = request.user
    answers = access.may_answer_referral(user, referral)
    sender = access.may_refer(user, referral.case)
    delivered: list[Any] = []
    # Both organisations see what was delivered on the referral (its kind and day, never its note).
    if referral.receiving_case is not None and any(
        access.can(user, "service", access.VIEW, org)
        for org in (referral.from_organisation_id, referral.to_organisation_id)
    ):
        case = referral.receiving_case
        delivered = [
            *case.services.select_related("service_type"),
            *case.outcomes.select_related("outcome_type"),
        ]
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "steps": steps(referral),
            "services": list(referral.services.all()),
            "delivered": delivered,
            "can_read_case": access.scoped(user, "case").filter(pk=referral.case_id).exists(),
            "can_answer": answers and referral.state == State.SENT,
            "can_deliver": answers and referral.state == State.ACCEPTED,
            "can_withdraw": sender and referral.state == State.SENT,
        },
    )


def _step(
    request: HttpRequest, pk: int, verb: str, *, title: str, intro: str, submit: str, done: str
) -> HttpResponse:
    """A page for one step: 404 for whoever may not take it, the form, the action, back to the referral."""
    step = STEPS[verb]
    referral: Referral = access.referral_or_404(request.user, pk, audited=False)
    access.require(step.allowed(request.user, referral))
    access.audit_view(request.user, referral)
    # An empty POST is still a POST: confirming a step sends no fields.
    form = step.form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            step.take(request.user, referral, form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "form_page.html",
        {
            "title": title % {"person": referral.case.person.code, "organisation": referral.to_organisation},
            "intro": intro,
            "referral": referral,
            "form": form,
            "submit": submit,
            "cancel": reverse("referrals:detail", args=[referral.pk]),
        },
    )


@login_required
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "accept",
        title=_("Accept the referral of %(person)s"),
        intro=_(
            "Your organisation's case staff may then read the case, its services and outcomes and the "
            "person's details for as long as the person's consent holds, and you record what you deliver "
            "on the referral."
        ),
        submit=_("Accept"),
        done=_("The referral was accepted."),
    )


@login_required
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "decline",
        title=_("Decline the referral of %(person)s"),
        intro=_("Your organisation will no longer see this referral, and gets no access to the case."),
        submit=_("Decline"),
        done=_("The referral was declined."),
    )


@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "withdraw",
        title=_("Withdraw the referral of %(person)s to %(organisation)s"),
        intro=_("The receiving organisation will no longer see it, and gets no access to the case."),
        submit=_("Withdraw"),
        done=_("The referral was withdrawn."),
    )


@login_required
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "complete",
        title=_("Complete the referral of %(person)s"),
        intro=_(
            "Complete it once you have delivered what was asked for; nothing more is recorded on it then."
        ),
        submit=_("Complete"),
        done=_("The referral was completed."),
    )


@login_required
def service(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "service",
        title=_("Record a service delivered on the referral of %(person)s"),
        intro=_("It counts in the programme's figures for your organisation."),
        submit=_("Save"),
        done=_("The service was recorded."),
    )


@login_required
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "outcome",
        title=_("Record an outcome of the referral of %(person)s"),
        intro=_("It counts in the programme's figures for your organisation."),
        submit=_("Save"),
        done=_("The outcome was recorded."),
    )


@login_required
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    """Refer a case to another organisation of its programme. Without the person's consent to share with
    exactly that organisation the page says which consent is missing and offers to record it."""
    case: Case = access.get_or_404(request.user, "case", pk, access.CHANGE)
    form = ReferForm(request.POST or None, case=case)
    missing_consent: int = 0  # the organisation whose consent to share is missing
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            referral = actions.send_referral(
                acting_user=request.user,
                case=case,
                to_organisation=data["to_organisation"],
                services=data["services"],
                reason=data["reason"],
                urgency=data["urgency"],
                message=data["message"],
            )
        except ValidationError as error:
            add_errors(form, error)
            if not has_sharing_consent(case.person, data["to_organisation"], dt.date.today()):
                missing_consent = int(data["to_organisation"].pk)
        else:
            messages.success(
                request,
                _("The case was referred to %(organisation)s.") % {"organisation": data["to_organisation"]},
            )
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/refer.html",
        {
            "case": case,
            "form": form,
            "consents_url": reverse("privacy:consent-add", args=[case.person_id])
            + "?"
            + urlencode({"purpose": "sharing", "shared_with": str(missing_consent)})
            if missing_consent
            and access.can(request.user, "person", access.CHANGE, case.person.organisation_id)
            else None,
            "open_referrals": list(
                listed_referrals(access.referrals(request.user).filter(case=case, state__in=Referral.OPEN))
            ),
        },
    )
