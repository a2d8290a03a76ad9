"""Periods already reported outside (ReportedPeriod), and what a removal would change in their figures.

A period counts as reported from the first time an external report of it leaves the app. Removing a record
dated in such a period warns first, with the figures before and after, computed by the same engine as the
report (nextsteps/indicators/engine.py) inside a transaction that is always rolled back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import EXTERNAL, fmt_number, period_label
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


# Kinds whose records count from their date onwards (a case while it is open, a volunteer once signed up, a
# campaign over its days, a partnership once established): a removal can change every reported period that
# ends after that date. Every other dated kind counts on its day only.
COUNTED_FROM_DATE = {"case", "volunteer", "campaign", "partner_contact"}


def periods_touching(kind: str, obj: Any) -> list[ReportedPeriod]:
    """The reported periods whose figures the record may count in: those of its programme (of its
    organisation's programmes when it has none, like a person) that contain its date. One query."""
    from nextsteps.records.kinds import KINDS, follow

    spec = KINDS[kind]
    periods = ReportedPeriod.objects.select_related("programme").order_by("start", "end", "pk")
    if spec.programme_path is not None:
        periods = periods.filter(programme=follow(obj, spec.programme_path))
    else:
        organisation_id = follow(obj, spec.organisation_path).pk
        periods = periods.filter(programme__organisations=organisation_id).distinct()
    date = getattr(obj, spec.date_field, None) if spec.date_field else None
    if isinstance(date, dt.date):
        periods = periods.filter(end__gte=date)
        if kind not in COUNTED_FROM_DATE:
            periods = periods.filter(start__lte=date)
    return list(periods)


@dataclass(frozen=True)
class FigureChange:
    title: str
    before: int | Decimal
    after: int | Decimal

    def text(self) -> str:
        if self.before == self.after:
            return _("%(indicator)s %(value)s (its breakdown changes)") % {
                "indicator": self.title,
                "value": fmt_number(self.before),
            }
        return _("%(indicator)s %(before)s → %(after)s") % {
            "indicator": self.title,
            "before": fmt_number(self.before),
            "after": fmt_number(self.after),
        }


@dataclass(frozen=True)
class ReportedChange:
    """The figures of one reported period that a removal changes."""

    period: ReportedPeriod
    changes: list[FigureChange]

    def sentence(self) -> str:
        return _(
            "Removing this record changes figures of the report for %(period)s, already sent on %(date)s: "
            "%(changes)s."
        ) % {
            "period": period_label(self.period.start, self.period.end),
            "date": formats.date_format(
                timezone.localtime(self.period.first_reported_at).date(), "DATE_FORMAT"
            ),
            "changes": "; ".join(change.text() for change in self.changes),
        }


Figures = dict[int, dict[int, tuple[Any, ...]]]


def _figures(periods: list[ReportedPeriod], indicators: list[Indicator]) -> Figures:
    """Each period's value of each indicator of its programme: the total and every breakdown a report shows."""
    return {
        period.pk: {
            indicator.pk: (
                value.total,
                sorted(value.sex_age.items()),
                sorted(value.by_organisation.items()),
                sorted(value.by_locality.items()),
            )
            for indicator in indicators
            if indicator.pillar.programme_id == period.programme_id
            for value in [engine.value(indicator, period.start, period.end)]
        }
        for period in periods
    }


def removal_changes(kind: str, obj: Any) -> list[ReportedChange]:
    """What removing the record changes in periods already reported, period by period (none: no warning).

    The figures are computed by the report's own engine before, and after a deletion that is rolled back
    (records.actions.without): exact, and a fixed number of queries per reported period and indicator,
    whatever the number of records."""
    from nextsteps.records.actions import without

    periods = periods_touching(kind, obj)
    if not periods:
        return []
    indicators = list(
        Indicator.objects.filter(pillar__programme__in={p.programme_id for p in periods})
        .select_related("pillar")
        .order_by("pillar__number", "order", "code")
    )
    before = _figures(periods, indicators)
    after = without(obj, lambda: _figures(periods, indicators))
    language = translation.get_language()
    found = []
    for period in periods:
        changes = [
            FigureChange(
                indicator.title(language),
                before[period.pk][indicator.pk][0],
                after[period.pk][indicator.pk][0],
            )
            for indicator in indicators
            if indicator.pk in before[period.pk]
            and before[period.pk][indicator.pk] != after[period.pk][indicator.pk]
        ]
        if changes:
            found.append(ReportedChange(period, changes))
    return found
