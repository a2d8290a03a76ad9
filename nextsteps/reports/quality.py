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
from dataclasses import dataclass
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
from nextsteps.records.kinds import KINDS
from nextsteps.reports import livecache

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
    "volunteer_hours": None,
    "distributions": "distribution",
    "partner_contacts": "partner_contact",
    # The case list is dated by the opening, not by the decision: it could not show the period's ones.
    "identifications": None,
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


@dataclass(frozen=True)
class Check:
    key: str
    label: str | Promise
    explanation: str | Promise
    lines: Callable[[Programme, list[Indicator], dt.date, dt.date, str], list[Line]]


def unknown_person(path: str) -> Q:
    return Q(**{f"{path}__sex": m.Sex.UNKNOWN}) | Q(**{f"{path}__adult_on__isnull": True})


def attendance_unsplit() -> Q:
    """Activities whose attendance by sex and age adds up to less than the total."""
    known = reduce(operator.add, (Coalesce(F(c), 0) for c in ATTENDANCE_CELLS))
    return Q(attendance_total__gt=known)


ATTENDANCE_CELLS = ("attendance_women", "attendance_girls", "attendance_men", "attendance_boys")


def entered_late(date: str) -> Q:
    deadline = ExpressionWrapper(F(date) + dt.timedelta(days=LATE_DAYS), output_field=DateField())
    return Q(created_at__date__gt=deadline)


def outlier_attendance(activities: Any) -> Q:
    """Activities more than OUTLIER_FACTOR times the median attendance of their programme's activities of
    their type, in one query (of two numbers per activity: the median has no portable SQL)."""
    sizes: dict[tuple[int, int], list[int]] = {}
    for key in activities.values_list("programme_id", "activity_type_id", "attendance_total"):
        sizes.setdefault(key[:2], []).append(key[2])
    above = Q(pk__in=[])
    for (programme_id, type_id), values in sizes.items():
        limit = statistics.median(values) * OUTLIER_FACTOR
        above |= Q(programme_id=programme_id, activity_type_id=type_id, attendance_total__gt=limit)
    return above


def no_members() -> Q:
    return Q(~Exists(m.Household.members.through.objects.filter(household=OuterRef("pk"))))


def no_persons() -> Q:
    return Q(~Exists(m.VisitPerson.objects.filter(visit=OuterRef("pk"))))


def idle(today: dt.date | None = None) -> Q:
    """Open, opened more than IDLE_DAYS days ago, and no service, outcome, note or follow-up since."""
    since = (today or dt.date.today()) - dt.timedelta(days=IDLE_DAYS)
    case = OuterRef("pk")
    return (
        Q(status=m.Case.Status.OPEN, opened__lt=since)
        & ~Exists(m.ServiceDelivery.objects.filter(case=case, date__gte=since))
        & ~Exists(m.Outcome.objects.filter(case=case, date__gte=since))
        & ~Exists(CaseNote.objects.filter(case=case, date__gte=since))
        & ~Exists(FollowUp.objects.filter(case=case).filter(Q(due__gte=since) | Q(done__gte=since)))
    )


def _counts(records: Any, organisation: str = "organisation") -> dict[int, int]:
    """The records per organisation id (at the path `organisation`), in one query; none where there are none."""
    rows = records.values(org=F(organisation)).annotate(n=Count("pk", distinct=True)).order_by()
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
        qs = qs.filter(unknown_person(source.person) if source.person else attendance_unsplit())
        lines.append(
            Line(indicator.title(lang), _counts(qs, source.organisation), SOURCE_KINDS.get(indicator.source))
        )
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
        late = source.queryset(programme.pk, start, end, {}).filter(entered_late(source.date))
        kind = SOURCE_KINDS.get(key)
        # The list's dates must be the records' own, or the link would show other records.
        same = (
            kind is not None and KINDS[kind].model is source.model and KINDS[kind].date_field == source.date
        )
        lines.append(Line(str(source.label), _counts(late, source.organisation), kind if same else None))
    return lines


def attendance_outliers(
    programme: Programme, indicators: list[Indicator], start: dt.date, end: dt.date, lang: str
) -> list[Line]:
    """Activities of the period whose attendance is more than OUTLIER_FACTOR times the median attendance
    of all the programme's activities of that type: a 400 typed for a 40."""
    activities = m.Activity.objects.filter(programme=programme)
    outliers = activities.filter(date__gte=start, date__lte=end).filter(outlier_attendance(activities))
    return [Line(str(_("activities and events")), _counts(outliers), "activity")]


def households_without_members(
    programme: Programme, indicators: list[Indicator], start: dt.date, end: dt.date, lang: str
) -> list[Line]:
    """Households of the programme's organisations with nobody in them, whatever the period: their visits
    reach nobody."""
    empty = m.Household.objects.filter(organisation__in=programme.organisations.all()).filter(no_members())
    return [Line(str(_("households")), _counts(empty), "household", dated=False)]


def visits_without_persons(
    programme: Programme, indicators: list[Indicator], start: dt.date, end: dt.date, lang: str
) -> list[Line]:
    """Outreach visits of the period with no person reached recorded: they count as visits, but add nobody
    to the persons reached."""
    visits = m.OutreachVisit.objects.filter(programme=programme, date__gte=start, date__lte=end)
    return [Line(str(_("outreach visits")), _counts(visits.filter(no_persons())), "visit")]


def idle_cases(
    programme: Programme, indicators: list[Indicator], start: dt.date, end: dt.date, lang: str
) -> list[Line]:
    """Cases open today, opened more than IDLE_DAYS days ago, with no service, outcome, note or follow-up
    dated in the last IDLE_DAYS days."""
    cases = m.Case.objects.filter(programme=programme).filter(idle())
    return [Line(str(_("open cases")), _counts(cases), "case", dated=False)]


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


# The record lists' "data-quality check" filter: the records of one kind that a check counts, so that a
# count's link opens exactly the records to fix (the list adds the organisation and the period). Where a
# check counts per indicator, the list shows the kind's records with the problem, whatever the
# indicator's filters.
def _list_filters() -> dict[str, dict[str, Callable[[], Q]]]:
    return {
        "service": {
            "unknown_sex_age": lambda: unknown_person("case__person"),
            "late_entries": lambda: entered_late("date"),
        },
        "outcome": {
            "unknown_sex_age": lambda: unknown_person("case__person"),
            "late_entries": lambda: entered_late("date"),
        },
        "visit": {
            "unknown_sex_age": lambda: Q(
                pk__in=m.VisitPerson.objects.filter(unknown_person("person")).values("visit_id")
            ),
            "late_entries": lambda: entered_late("date"),
            "visits_without_persons": no_persons,
        },
        "activity": {
            "unknown_sex_age": attendance_unsplit,
            "late_entries": lambda: entered_late("date"),
            "attendance_outliers": lambda: outlier_attendance(m.Activity.objects.all()),
        },
        "volunteer": {"late_entries": lambda: entered_late("signed_up")},
        "distribution": {"late_entries": lambda: entered_late("date")},
        "partner_contact": {"late_entries": lambda: entered_late("established")},
        "household": {"households_without_members": no_members},
        "case": {"idle_cases": idle},
    }


def list_choices(kind: str) -> list[tuple[str, Any]]:
    """The checks a record list can narrow to, as choices of its filter form."""
    keys = _list_filters().get(kind, {})
    return [(check.key, check.label) for check in CHECKS if check.key in keys]


def list_filter(kind: str, key: str) -> Q:
    return _list_filters()[kind][key]()


def indicators_without_target(indicators: list[Indicator], start: dt.date, end: dt.date) -> list[Indicator]:
    """Indicators no target applies to in the period (the rule of engine.targets_for), in one query."""
    targets = engine.targets_for(indicators, start, end)
    return [i for i in indicators if i.pk not in targets]


def programme_indicators(programme: Programme) -> list[Indicator]:
    return list(Indicator.objects.filter(pillar__programme=programme).order_by("pillar__number", "order"))


def run(
    programme: Programme,
    start: dt.date,
    end: dt.date,
    lang: str,
    indicators: list[Indicator] | None = None,
) -> list[tuple[Check, list[Line]]]:
    """Every check's lines; `indicators` are the programme's (programme_indicators), if the caller has them."""
    if indicators is None:
        indicators = programme_indicators(programme)
    return [(check, check.lines(programme, indicators, start, end, lang)) for check in CHECKS]


# The key under which cached_run keeps the titles of the indicators without a target; no check has it.
WITHOUT_TARGET = "-without-target"


def cached_run(
    programme: Programme, start: dt.date, end: dt.date, lang: str
) -> tuple[list[tuple[Check, list[Line]]], list[str]]:
    """run()'s lines, and the titles of the indicators no target applies to in the period, as of the current
    data version (nextsteps/reports/livecache.py): every check reads whole tables (at a million persons,
    about 0.4 s of queries), and the page is opened far more often than records change. Any write moves the
    data version on (targets and indicators are set-up whose every save does), so a record saved a second
    ago is in the next page; the day is part of the key because the idle cases are counted back from today.
    The programme's indicators are read only when the figures are computed."""
    key = f"quality:{programme.pk}:{start.isoformat()}:{end.isoformat()}:{lang}:{dt.date.today().isoformat()}"

    def compute() -> dict[str, Any]:
        indicators = programme_indicators(programme)
        figures: dict[str, Any] = {
            check.key: [[line.label, line.counts, line.kind, line.dated] for line in lines]
            for check, lines in run(programme, start, end, lang, indicators)
        }
        figures[WITHOUT_TARGET] = [i.title(lang) for i in indicators_without_target(indicators, start, end)]
        return figures

    stored = livecache.remember(key, compute, usable=lambda figures: WITHOUT_TARGET in figures)
    checks = [
        (
            check,
            [
                Line(label, {int(pk): n for pk, n in counts.items()}, kind, dated)
                for label, counts, kind, dated in stored[check.key]
            ],
        )
        for check in CHECKS
        if check.key in stored
    ]
    return checks, list(stored[WITHOUT_TARGET])


__all__ = [
    "CHECKS",
    "Check",
    "Line",
    "cached_run",
    "indicators_without_target",
    "programme_indicators",
    "run",
]
