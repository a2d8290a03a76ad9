"""The audit trail for administrators and data-protection officers: who saw or changed what, and when."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from nextsteps.accounts import access
from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.pagination import COUNT_LIMIT, CappedPaginator
from nextsteps.widgets import DateInput


class AuditFilter(forms.Form):
    user = forms.ModelChoiceField(label=_("user"), queryset=User.objects.none(), required=False)
    action = forms.ChoiceField(
        label=_("action"), choices=[("", "—"), *AuditEntry.Action.choices], required=False
    )
    model = forms.CharField(label=_("record type"), required=False)
    record = forms.CharField(label=_("record"), required=False)
    date_from = forms.DateField(label=_("from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("to"), required=False, widget=DateInput())

    def __init__(self, *args: Any, org_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = (
            User.objects.filter(memberships__organisation__in=org_ids).distinct().order_by("username")
        )

    def apply(self, qs: Any) -> Any:
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if data.get("user"):
            qs = qs.filter(user=data["user"])
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("model"):
            qs = qs.filter(model__iexact=data["model"].strip())
        if data.get("record"):
            qs = qs.filter(object_pk=data["record"].strip())
        if data.get("date_from"):
            qs = qs.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(at__date__lte=data["date_to"])
        return qs


@require_GET
@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    access.require(access.has(request.user, access.AUDIT))
    org_ids = access.capability_organisations(request.user, access.AUDIT)
    filters = AuditFilter(request.GET, org_ids=org_ids)
    # Entries on the reader's organisations' records, and what their own staff did elsewhere (reading a case
    # shared with them).
    entries = filters.apply(
        AuditEntry.objects.filter(
            Q(organisation__in=org_ids) | Q(acting_organisation__in=org_ids)
        ).select_related("user", "organisation", "acting_organisation", "reason")
    )
    page = CappedPaginator(entries.order_by("-at", "-pk"), 50, COUNT_LIMIT).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    viewers = None
    if filters.is_valid() and filters.cleaned_data.get("model") and filters.cleaned_data.get("record"):
        # "Who viewed this": everyone who opened or exported this one record, with the last time each did,
        # most recent first. An export shows the record as much as a view does, and takes it further.
        viewers = (
            entries.filter(action__in=[AuditEntry.Action.VIEW, AuditEntry.Action.EXPORT])
            .values("user__username")
            .annotate(last=Max("at"))
            .order_by("-last", "user__username")
        )
    return render(
        request,
        "audit/trail.html",
        {"filters": filters, "page": page, "query": query.urlencode(), "viewers": viewers},
    )
