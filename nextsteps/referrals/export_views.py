"""The referrals inbox downloaded as CSV or XLSX: the page's columns, of the referrals the reader may see, in
the order the page's headers chose, with the part of the page each row is in (waiting for an answer,
received and answered, sent). Written and audited as the record lists' downloads are
(nextsteps/records/export_views.py): one EXPORT entry per referral, under the organisation of its case."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from nextsteps.records.export_views import CONTENT_TYPES, audited, download
from nextsteps.referrals.models import Referral
from nextsteps.referrals.views import columns, inbox, listed_referrals

WAITING, RECEIVED, SENT = 0, 1, 2
FIELDS = ("case", "from_organisation", "to_organisation", "services", "urgency", "sent_on", "state")


def _headers() -> list[str]:
    return [capfirst(_("List")), *(capfirst(str(column.label)) for column in columns())]


def _values(referral: Any) -> list[Any]:
    part = {WAITING: _("Waiting for your answer"), RECEIVED: _("Received and answered"), SENT: _("Sent")}
    return [
        part[referral.part],
        referral.case.person.code,
        str(referral.from_organisation),
        str(referral.to_organisation),
        ", ".join(str(service) for service in referral.services.all()),
        referral.get_urgency_display(),
        referral.sent_on,
        referral.get_state_display(),
    ]


@login_required
def export(request: HttpRequest) -> HttpResponseBase:
    fmt = request.GET.get("format", "csv")
    if fmt not in CONTENT_TYPES:
        raise Http404
    orgs, _sort, visible = inbox(request.user, request.GET)
    # The page's parts; a referral between two of the reader's organisations is in its file once, received.
    part = Case(
        When(to_organisation__in=orgs, state=Referral.State.SENT, then=Value(WAITING)),
        When(to_organisation__in=orgs, then=Value(RECEIVED)),
        default=Value(SENT),
        output_field=IntegerField(),
    )
    order = visible.query.order_by
    records = audited(
        request.user, visible, organisation_path="from_organisation", fields=FIELDS, person_level=True
    )
    records = listed_referrals(records).annotate(part=part).order_by("part", *order)
    return download(fmt, "referrals", _("Referrals"), _headers, records, _values)
