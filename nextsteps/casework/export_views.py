"""My cases and the caseload downloaded as CSV or XLSX: the page's columns (of the cases My cases' filters
and sort select), written and audited as the record lists' downloads are (nextsteps/records/export_views.py).
The caseload holds counts only: its download is audited once per organisation, not per case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.casework.models import RiskLevel
from nextsteps.casework.views import annotated_cases, caseload_organisations, caseload_rows, my_cases_listed
from nextsteps.programmes.models import Organisation
from nextsteps.records.export_views import CONTENT_TYPES, audit_whole_export, audited, download
from nextsteps.records.models import Case


def _headers() -> list[str]:
    return [
        capfirst(text)
        for text in (
            _("Case"),
            _("risk level"),
            _("next follow-up"),
            _("overdue follow-ups"),
            _("last activity"),
            _("responsible caseworker"),
        )
    ]


def _values(case: Any) -> list[Any]:
    code = case.person.code
    if case.status == "closed":
        code = f"{code} ({_('closed')})"  # as the page writes it
    risk = dict(RiskLevel.choices).get(case.risk)
    return [
        code,
        str(risk) if risk is not None else None,
        case.next_follow_up,
        case.overdue_count,
        case.last_activity,
        str(case.caseworker) if case.caseworker_id else None,
    ]


@login_required
def my_cases_export(request: HttpRequest) -> HttpResponseBase:
    fmt = request.GET.get("format", "csv")
    if fmt not in CONTENT_TYPES:
        raise Http404
    params = request.GET.copy()
    params.pop("format", None)
    filters, cases = my_cases_listed(request.user, params)
    if filters.is_bound and not filters.is_valid():
        return redirect(f"{reverse('casework:mine')}?{params.urlencode()}")
    records = audited(
        request.user,
        annotated_cases(cases, dt.date.today()),
        organisation_path="organisation",
        fields=("person", "status", "caseworker"),
        person_level=True,
    )
    return download(fmt, "my-cases", _("My cases"), _headers, records, _values)


def _caseload_headers() -> list[str]:
    return [
        capfirst(text)
        for text in (
            _("organisation"),
            _("responsible caseworker"),
            _("open cases"),
            _("high risk"),
            _("overdue follow-ups"),
            _("referrals waiting for an answer"),
        )
    ]


def _caseload_values(row: dict[str, Any]) -> list[Any]:
    return [
        row["organisation__name"],
        row["caseworker__username"] or _("nobody yet"),
        row["cases"],
        row["high_risk"],
        row["overdue"],
        row["pending_referrals"],
    ]


@login_required
def caseload_export(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    orgs = caseload_organisations(user)
    access.require(bool(orgs))
    fmt = request.GET.get("format", "csv")
    if fmt not in CONTENT_TYPES:
        raise Http404
    organisations = Organisation.objects.filter(pk__in=orgs).order_by("pk")
    audit_whole_export(user, Case, organisations, ["caseload"])
    return download(fmt, "caseload", _("Caseload"), _caseload_headers, caseload_rows(orgs), _caseload_values)
