"""Periods already reported outside (ReportedPeriod), and what a removal would change in their figures.

A period counts as reported from the first time an external report of it leaves the app. Removing a record
dated in such a period warns first, with the figures before and after, computed by the same engine as the
report (nextsteps/indicators/engine.py) inside a transaction that is always rolled back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import EXTERNAL
from nextsteps.reports.models import ReportedPeriod


def mark_reported(
    programme: Programme, start: dt.date, end: dt.date, audience: str, *, acting_user: Any
) -> ReportedPeriod | None:
    """Record that an external report of the period left the app, once per programme and exact period (the
    first report's time and user stay). Internal reports are not sent out: nothing is recorded for them."""
    if audience != EXTERNAL:
        return None
    found = ReportedPeriod.objects.filter(programme=programme, start=start, end=end).first()
    if found is not None:
        return found
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            period = ReportedPeriod.objects.create(
                programme=programme, start=start, end=end, first_reported_by=user
            )
            log(AuditEntry.Action.CREATE, period, user=user, fields=["programme", "start", "end"])
    except IntegrityError:
        # Someone else's report of the same period got there first: theirs is the first.
        return ReportedPeriod.objects.filter(programme=programme, start=start, end=end).first()
    return period
