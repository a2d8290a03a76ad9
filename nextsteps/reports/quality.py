"""The data-quality checks of the coordinators' page (/quality/): records that a plausible entry mistake
has left in a state the figures cannot read well.

Each check is data in CHECKS, as sources are in nextsteps/indicators/sources.py: a key, a label and a
function that returns its lines, each with counts per organisation and the record list that shows the
records (narrowed to the organisation, and to the period where the list has dates). The page links only
the reader's own organisations; the others' lines are counts only. Queries: one per indicator or source
at most, never one per record.
"""

from __future__ import annotations

import datetime as dt
import operator
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nextsteps.casework.models import CaseNote, FollowUp
from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator
from nextsteps.indicators.sources import SOURCES, Source
from nextsteps.programmes.models import Programme
from nextsteps.records import models as m

LATE_DAYS = 30
OUTLIER_FACTOR = 3
IDLE_DAYS = 90
# The record list that shows each source's records (None: no list of its own).
SOURCE_KINDS = {
    "services": "service",
    "outcomes": "outcome",
    "visits": "visit",
    "persons_reached": "visit",
    "activities": "activity",
    "volunteers": "volunteer",
    "distributions": "distribution",
    "partner_contacts": "partner_contact",
    "identifications": "case",
    "referrals": None,
}

# Every list a line may link to.
LINKED_KINDS = (
    "activity",
    "case",
    "distribution",
    "household",
    "outcome",
    "partner_contact",
    "service",
    "visit",
    "volunteer",
)


@dataclass
class Line:
    label: str
    counts: dict[int, int]
    kind: str | None = None  # the record list the line links to
    dated: bool = True  # whether the link narrows the list to the period
    extra: dict[str, str] = field(default_factory=dict)  # further filters of the list (a type)


@dataclass(frozen=True)
class Check:
    key: str
    label: str | Promise
    explanation: str | Promise
    lines: Callable[[Programme, list[Indicator], dt.date, dt.date, str], list[Line]]


def _counts(rows: Any) -> dict[int, int]:
    return {row["org"]: row["n"] for row in rows if row["n"]}


def unknown_sex_age(
    programme: Programme, indicators: list[Indicator], start: dt.date, end: dt.date, lang: str
) -> list[Line]:
    """Per counted indicator with a sex × age breakdown: its records whose person has no known sex or
    age (these are IndicatorValue.unknown's cells), or activities whose attendance by sex and age does
    not add up to the total."""
    lines = []
    for indicator in indicators:
        if not engine.has_sex_age(indicator):
            continue
        source = SOURCES[indicator.source]
        qs = source.queryset(programme.pk, start, end, indicator.filters or {})
        if source.person:
            qs = qs.filter(
                Q(**{f"{source.person}__sex": m.Sex.UNKNOWN})
                | Q(**{f"{source.person}__adult_on__isnull": True})
            )
        else:
            known = reduce(operator.add, (Coalesce(F(c), 0) for c in source.attendance_cells.values()))
            qs = qs.alias(known=known).filter(**{f"{source.quantity}__gt": F("known")})
        rows = qs.values(org=F(source.organisation)).annotate(n=Count("pk", distinct=True)).order_by()
        lines.append(Line(indicator.title(lang), _counts(rows), SOURCE_KINDS.get(indicator.source)))
    return lines


def _timestamped(source: Source) -> bool:
    return any(f.name == "created_at" for f in source.model._meta.get_fields())


def late_entries(
    programme: Programme, indicators: list[Indicator], start: dt.date, end: dt.date, lang: str
) -> list[Line]:
    """Per kind of counted record: those of the period entered more than LATE_DAYS days after their date;
    they changed figures that may already have been reported."""
    lines = []
    for key in dict.fromkeys(i.source for i in indicators if i.source in SOURCES):
        source = SOURCES[key]
        if not _timestamped(source):
            continue
        deadline = ExpressionWrapper(F(source.date) + dt.timedelta(days=LATE_DAYS), output_field=DateField())
        rows = (
            source.queryset(programme.pk, start, end, {})
            .filter(created_at__date__gt=deadline)
            .values(org=F(source.organisation))
            .annotate(n=Count("pk"))
            .order_by()
        )
        lines.append(Line(str(source.label), _counts(rows), SOURCE_KINDS.get(key)))
    return lines


def attendance_outliers(
    programme: Programme, indicators: list[Indicator], start: dt.date, end: dt.date, lang: str
) -> list[Line]:
    """Activities of the period whose attendance is more than OUTLIER_FACTOR times the median attendance
    of all the programme's activities of that type: a 400 typed for a 40."""
    sizes: dict[int, list[int]] = {}
    for type_id, total in m.Activity.objects.filter(programme=programme).values_list(
        "activity_type_id", "attendance_total"
    ):
        sizes.setdefault(type_id, []).append(total)
    limits = {type_id: statistics.median(values) * OUTLIER_FACTOR for type_id, values in sizes.items()}
    above = Q(pk__in=[])
    for type_id, limit in limits.items():
        above |= Q(activity_type_id=type_id, attendance_total__gt=limit)
    rows = (
        m.Activity.objects.filter(programme=programme, date__gte=start, date__lte=end)
        .filter(above)
        .values(org=F("organisation"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [Line(str(_("activities and events")), _counts(rows), "activity")]


def households_without_members(
    programme: Programme, indicators: list[Indicator], start: dt.date, end: dt.date, lang: str
) -> list[Line]:
    """Households of the programme's organisations with nobody in them, whatever the period: their visits
    reach nobody."""
    rows = (
        m.Household.objects.filter(organisation__in=programme.organisations.all())
        .filter(~Exists(m.Household.members.through.objects.filter(household=OuterRef("pk"))))
        .values(org=F("organisation"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [Line(str(_("households")), _counts(rows), "household", dated=False)]


def visits_without_persons(
    programme: Programme, indicators: list[Indicator], start: dt.date, end: dt.date, lang: str
) -> list[Line]:
    """Outreach visits of the period with no person reached recorded: they count as visits, but add nobody
    to the persons reached."""
    rows = (
        m.OutreachVisit.objects.filter(programme=programme, date__gte=start, date__lte=end)
        .filter(~Exists(m.VisitPerson.objects.filter(visit=OuterRef("pk"))))
        .values(org=F("organisation"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [Line(str(_("outreach visits")), _counts(rows), "visit")]


def idle_cases(
    programme: Programme, indicators: list[Indicator], start: dt.date, end: dt.date, lang: str
) -> list[Line]:
    """Cases open today, opened more than IDLE_DAYS days ago, with no service, outcome, note or follow-up
    dated in the last IDLE_DAYS days."""
    since = dt.date.today() - dt.timedelta(days=IDLE_DAYS)
    case = OuterRef("pk")
    rows = (
        m.Case.objects.filter(programme=programme, status=m.Case.Status.OPEN, opened__lt=since)
        .filter(~Exists(m.ServiceDelivery.objects.filter(case=case, date__gte=since)))
        .filter(~Exists(m.Outcome.objects.filter(case=case, date__gte=since)))
        .filter(~Exists(CaseNote.objects.filter(case=case, date__gte=since)))
        .filter(~Exists(FollowUp.objects.filter(case=case).filter(Q(due__gte=since) | Q(done__gte=since))))
        .values(org=F("organisation"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [Line(str(_("open cases")), _counts(rows), "case", dated=False)]


CHECKS = [
    Check(
        "unknown_sex_age",
        _("Unknown sex or age"),
        _(
            "Records counted by an indicator whose person has no known sex or age, or activities whose "
            "attendance by sex and age does not add up to the total."
        ),
        unknown_sex_age,
    ),
    Check(
        "late_entries",
        _("Late entries"),
        _(
            "Records of the period entered more than 30 days after their date: they change figures that may "
            "already have been reported."
        ),
        late_entries,
    ),
    Check(
        "attendance_outliers",
        _("Unusually large attendance"),
        _("Activities of the period with more than three times the median attendance of their type."),
        attendance_outliers,
    ),
    Check(
        "households_without_members",
        _("Households without members"),
        _("Households with nobody in them: a visit to them reaches nobody."),
        households_without_members,
    ),
    Check(
        "visits_without_persons",
        _("Visits without persons"),
        _("Outreach visits of the period with no person reached recorded."),
        visits_without_persons,
    ),
    Check(
        "idle_cases",
        _("Open cases without activity for 90 days"),
        _("Open cases with no service, outcome, note or follow-up in the last 90 days."),
        idle_cases,
    ),
]


def indicators_without_target(indicators: list[Indicator], start: dt.date, end: dt.date) -> list[Indicator]:
    """Indicators no target applies to in the period (the rule of engine.targets_for), in one query."""
    targets = engine.targets_for(indicators, start, end)
    return [i for i in indicators if i.pk not in targets]


def run(programme: Programme, start: dt.date, end: dt.date, lang: str) -> list[tuple[Check, list[Line]]]:
    indicators = list(
        Indicator.objects.filter(pillar__programme=programme).order_by("pillar__number", "order")
    )
    return [(check, check.lines(programme, indicators, start, end, lang)) for check in CHECKS]


__all__ = ["CHECKS", "Check", "Line", "indicators_without_target", "run"]
