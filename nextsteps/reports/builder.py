"""Assemble a programme's period report from indicator values and records, in one language.

The builder returns plain data (dataclasses); renderers turn it into Markdown, HTML or JSON. A whole report
costs a fixed handful of queries plus one per indicator. A report is built for an audience (internal or
external): the audience's Figures decide, once, how every figure reads, and every format follows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

from nextsteps.indicators import engine, sentences
from nextsteps.indicators.models import Indicator
from nextsteps.privacy.consents import publishable
from nextsteps.programmes.models import (
    MIN_SUPPRESSION_THRESHOLD,
    Milestone,
    Organisation,
    PeriodNarrative,
    Programme,
)
from nextsteps.records.models import Activity, Story
from nextsteps.referrals import figures as referral_figures
from nextsteps.referrals.figures import AnswerTimes
from nextsteps.reports import suppression
from nextsteps.reports.suppression import HIDDEN, LARGE, SHOWN, SMALL, UNSEEN

logger = logging.getLogger(__name__)
INTERNAL, EXTERNAL = "internal", "external"
AUDIENCES = (INTERNAL, EXTERNAL)
# External reports give everyone outside woman, girl, man and boy as one cell: the finer cells are small,
# and their sum is in the sentences ({unknown}), which would otherwise be one more total to protect.
UNKNOWN_CELL = "unknown"
PLACEHOLDER_CELLS = {"women": "woman", "girls": "girl", "men": "man", "boys": "boy", "unknown": UNKNOWN_CELL}

COUNTRY_NAMES = {
    # Country names are few and fixed here; the report needs only the programme's countries.
    "NL": (lambda: _("the Netherlands")),
    "RO": (lambda: _("Romania")),
    "MD": (lambda: _("Moldova")),
    "BG": (lambda: _("Bulgaria")),
}


def country_name(code: str) -> str:
    name = COUNTRY_NAMES.get(code.upper())
    return name() if name else code.upper()


def fmt_number(value: int | Decimal | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def as_number(value: int | Decimal | None) -> int | float | None:
    """A figure as a plain number for machines and spreadsheets: whole Decimals become ints."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@dataclass(frozen=True)
class Figures:
    """How figures are shown to readers: every renderer takes its numbers from here, never formats its own.

    This is the one place where an audience changes what is shown. The internal audience sees every figure
    as it is. The external one (donors, the public) sees counts of persons and households below the
    programme's threshold as "fewer than 5", and breakdowns protected so that no hidden cell can be worked
    out (the rule: nextsteps/reports/suppression.py). The builder asks for a mark per figure (SHOWN, SMALL,
    …) once; renderers then ask for the figure's text or spreadsheet value with its mark.
    """

    audience: str = INTERNAL
    threshold: int = 0
    # Phrases are in the report's language even where a page around the report speaks another one.
    language: str | None = None

    @classmethod
    def for_audience(cls, programme: Programme, audience: str, language: str | None = None) -> Figures:
        if audience != EXTERNAL:
            return cls(audience, 0, language)
        threshold = programme.suppression_threshold
        if threshold < MIN_SUPPRESSION_THRESHOLD:
            # Stored before the field was validated, or written past the forms: a lower value would withhold
            # nothing. Fail safe and say so; the report's note states the threshold actually used.
            logger.warning(
                "Programme %s has a small-number threshold of %s; external reports use %s instead. Set it "
                "to at least %s in the programme's settings.",
                programme.slug,
                threshold,
                MIN_SUPPRESSION_THRESHOLD,
                MIN_SUPPRESSION_THRESHOLD,
            )
            threshold = MIN_SUPPRESSION_THRESHOLD
        return cls(audience, threshold, language)

    @property
    def suppresses(self) -> bool:
        return self.audience == EXTERNAL and self.threshold > 1

    def note(self) -> str:
        """The line that tells readers which audience the report is for."""
        with translation.override(self.language or translation.get_language()):
            if self.audience == EXTERNAL:
                return _(
                    "For donors and the public: numbers of people below %(threshold)s are not shown exactly."
                ) % {"threshold": self.threshold}
            return _("For use inside the organisation: exact figures, including small numbers of people.")

    def total_mark(self, value: int | Decimal, *, persons: bool) -> str:
        return SMALL if self.suppresses and persons and value < self.threshold else SHOWN

    def marks(
        self,
        values: Mapping[str, int] | Mapping[str, int | Decimal],
        *,
        total: int | Decimal,
        total_mark: str,
        persons: bool = True,
    ) -> dict[str, str]:
        """Marks of the cells of one breakdown that adds up to `total` (UNSEEN: the part no output shows)."""
        if not (self.suppresses and persons):
            return {key: SHOWN for key in values}
        return suppression.protect(
            {key: int(n) for key, n in values.items()},
            threshold=self.threshold,
            total=int(total),
            total_shown=total_mark == SHOWN,
        )

    def phrase(self, mark: str) -> str | None:
        """What readers see instead of a figure with this mark; None for a figure that is shown."""
        if mark == SHOWN:
            return None
        with translation.override(self.language or translation.get_language()):
            threshold = fmt_number(self.threshold)
            if mark == SMALL:
                return _("fewer than %(threshold)s") % {"threshold": threshold}
            if mark == LARGE:
                return _("%(threshold)s or more") % {"threshold": threshold}
            assert mark == HIDDEN, mark
            return _("not shown")

    def plural_count(self, value: int | Decimal, mark: str = SHOWN) -> int | Decimal:
        """The number whose plural form the words around a figure take: the figure itself, or, when it is
        withheld, one that only depends on the phrase ("fewer than 5 survivors")."""
        if mark == SHOWN:
            return value
        # "not shown" reads with a plural without Romanian's "de", the form that 2 takes in every language.
        return self.threshold if mark in {SMALL, LARGE} else 2

    def text(self, value: int | Decimal | None, mark: str = SHOWN) -> str:
        """For prose and tables: the figure in the active language's notation, or the phrase."""
        return self.phrase(mark) or fmt_number(value)

    def cell(self, value: int | Decimal | None, mark: str = SHOWN) -> int | float | str | None:
        """For spreadsheets and JSON: a number, or the phrase when the number is withheld."""
        return self.phrase(mark) or as_number(value)


def referral_marks(times: AnswerTimes, figures: Figures) -> dict[str, str]:
    """The marks of the referral figures: counts of referrals are counts of persons (each is about one), and
    the accepted, declined and withdrawn ones (with those still unanswered, which no output shows) add up to
    those sent; the days to answer are withheld while fewer referrals were answered than the threshold."""
    sent = figures.total_mark(times.sent, persons=True)
    parts = {
        "accepted": times.accepted,
        "declined": times.declined,
        "withdrawn": times.withdrawn,
        UNSEEN: times.sent - times.accepted - times.declined - times.withdrawn,
    }
    marks = {"sent": sent, **figures.marks(parts, total=times.sent, total_mark=sent)}
    marks["completed"] = figures.total_mark(times.completed, persons=True)
    if marks["accepted"] != SHOWN and marks["completed"] == SHOWN:
        # Completed ones were accepted: a shown count would bound a withheld one.
        marks["completed"] = HIDDEN
    days = HIDDEN if figures.total_mark(times.answered, persons=True) != SHOWN else SHOWN
    marks["median_days"] = marks["max_days"] = days
    return marks


def status_label(status: str) -> str:
    return {
        engine.Status.EXCEEDED: _("exceeded"),
        engine.Status.MET: _("met"),
        engine.Status.BEHIND: _("behind"),
        engine.Status.IN_PROGRESS: _("in progress"),
        engine.Status.NO_TARGET: _("no target"),
    }[status]


def sex_label(sex: str) -> str:
    return {"female": _("female"), "male": _("male"), "other": _("other sex")}.get(sex, _("sex unknown"))


def age_label(age: str) -> str:
    return {"adult": _("adult"), "child": _("child")}.get(age, _("age unknown"))


def cell_label(cell: str) -> str:
    """A sex × age cell for readers: "girls", or "male, age unknown" outside the four named cells."""
    named = {
        "woman": _("women"),
        "girl": _("girls"),
        "man": _("men"),
        "boy": _("boys"),
        UNKNOWN_CELL: _("sex or age unknown"),
    }
    if cell in named:
        return named[cell]
    sex, age = engine.cell_parts(cell)
    return _("%(sex)s, %(age)s") % {"sex": sex_label(sex), "age": age_label(age)}


@dataclass
class Cell:
    """One disaggregation cell of an indicator's value: a sex × age cell or a locality, as readers see it."""

    dimension: str  # "sex_age", "locality" or "organisation"
    # The cell name ("woman", "unknown_adult", or "unknown" in external reports), the locality, or the
    # organisation's slug.
    key: str
    value: int | Decimal
    sex: str = ""  # empty for the external reports' "unknown" cell: sex, age or both are unknown
    age: str = ""
    locality: str = ""
    organisation: str = ""  # the organisation's name, for organisation cells
    mark: str = SHOWN
    figures: Figures = field(default_factory=Figures)

    @property
    def label(self) -> str:
        if self.dimension == "sex_age":
            return cell_label(self.key)
        return self.organisation if self.dimension == "organisation" else self.locality

    @property
    def sex_text(self) -> str:
        return sex_label(self.sex) if self.sex else ""

    @property
    def age_text(self) -> str:
        return age_label(self.age) if self.age else ""

    @property
    def text(self) -> str:
        return self.figures.text(self.value, self.mark)

    @property
    def shown(self) -> int | float | str | None:
        """The cell for spreadsheets and JSON: its number, or the phrase."""
        return self.figures.cell(self.value, self.mark)


@dataclass
class CellTarget:
    """A target set for one sex × age cell, against that cell's actual, as a sub-row of the indicator table."""

    cell: Cell
    baseline: Decimal | None
    target: Decimal | None
    percent: Decimal | None
    status: str

    # As for whole indicators: a withheld actual takes its percent and status with it.
    @property
    def withheld(self) -> bool:
        return self.cell.mark != SHOWN

    @property
    def percent_shown(self) -> Decimal | None:
        return None if self.withheld else self.percent

    @property
    def status_shown(self) -> str | None:
        return None if self.withheld else self.status

    @property
    def title(self) -> str:
        return f"– {self.cell.label}"

    @property
    def tracking_row(self) -> list[str]:
        figures = self.cell.figures
        percent = self.percent_shown
        return [
            self.title,
            figures.text(self.baseline),
            figures.text(self.target),
            self.cell.text,
            "–" if percent is None else f"{fmt_number(percent)}%",
            "–" if self.withheld else status_label(self.status),
        ]


@dataclass
class IndicatorLine:
    indicator: Indicator
    value: engine.IndicatorValue
    title: str
    sentence: str
    baseline: Decimal | None
    target: Decimal | None
    percent: Decimal | None
    status: str
    figures: Figures = field(default_factory=Figures)
    total_mark: str = SHOWN
    breakdown: list[Cell] = field(default_factory=list)
    cell_targets: list[CellTarget] = field(default_factory=list)
    # Which organisations recorded what: kept apart from cells(), which are the breakdowns donors ask for.
    by_organisation: list[Cell] = field(default_factory=list)
    # The target's own period when it is longer than the report's (engine.targets_for): then compared in full.
    target_period: tuple[dt.date, dt.date] | None = None

    @property
    def persons(self) -> bool:
        return self.indicator.counts_persons

    @property
    def withheld(self) -> bool:
        return self.total_mark != SHOWN

    @property
    def actual_text(self) -> str:
        return self.figures.text(self.value.total, self.total_mark)

    @property
    def actual_cell(self) -> int | float | str | None:
        """The actual for spreadsheets and JSON: a number, or the phrase."""
        return self.figures.cell(self.value.total, self.total_mark)

    # Targets and baselines are plans, not people: they are never withheld.
    @property
    def baseline_text(self) -> str:
        return self.figures.text(self.baseline)

    @property
    def target_text(self) -> str:
        if self.target is not None and self.target_period is not None:
            return target_for_period(self.figures.text(self.target), *self.target_period)
        return self.figures.text(self.target)

    # The percent and the status of a withheld actual would give it away (3 of a target of 5 is 60%; "met"
    # is the target itself), so they are withheld with it.
    @property
    def percent_shown(self) -> Decimal | None:
        return None if self.withheld else self.percent

    @property
    def status_shown(self) -> str | None:
        return None if self.withheld else self.status

    @property
    def status_label(self) -> str:
        return "–" if self.withheld else status_label(self.status)

    def cells(self) -> list[Cell]:
        """Every disaggregation cell: sex × age cells (when the records carry sex and age), then localities."""
        return self.breakdown

    @property
    def percent_text(self) -> str:
        percent = self.percent_shown
        return "–" if percent is None else f"{fmt_number(percent)}%"

    @property
    def tracking_row(self) -> list[str]:
        """The line as the indicator table of the text reports shows it, in the order of tracking_head()."""
        return [
            self.title,
            self.baseline_text,
            self.target_text,
            self.actual_text,
            self.percent_text,
            self.status_label,
        ]

    @property
    def tracking_rows(self) -> list[list[str]]:
        """The line's row, then one row per breakdown cell that has a target of its own."""
        return [self.tracking_row, *(cell.tracking_row for cell in self.cell_targets)]


def tracking_head() -> list[str]:
    """Column headings of the indicator table in the Markdown and Word reports."""
    return [_("Indicator"), _("Baseline"), _("Target"), _("Actual"), _("Percent of target"), _("Status")]


@dataclass
class Event:
    """A notable activity, told entirely from labelled data: its type and participant groups (managed lists,
    labelled in every language), date and place.

    The activity's free-text title is not part of the report: it is written once, in one language nobody
    recorded, so a Dutch report would quote an English title (or the reverse).
    """

    date: dt.date
    type_label: str
    locality: str
    attendance: int
    groups: list[str]

    def sentence(self) -> str:
        when = formats.date_format(self.date, "j F Y")
        if self.groups:
            return _("%(date)s, %(place)s: %(type)s with %(groups)s.") % {
                "date": when,
                "place": self.locality,
                "type": self.type_label,
                "groups": ", ".join(self.groups),
            }
        return _("%(date)s, %(place)s: %(type)s.") % {
            "date": when,
            "place": self.locality,
            "type": self.type_label,
        }


@dataclass
class Dated:
    date: dt.date
    text: str


@dataclass
class PillarSection:
    number: int
    title: str
    lines: list[IndicatorLine] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    milestones: list[Dated] = field(default_factory=list)


@dataclass
class OfficeLine:
    title: str
    value: int | Decimal
    mark: str = SHOWN
    figures: Figures = field(default_factory=Figures)
    code: str = ""  # the indicator's

    @property
    def text(self) -> str:
        return self.figures.text(self.value, self.mark)

    @property
    def shown(self) -> int | float | str | None:
        return self.figures.cell(self.value, self.mark)


@dataclass
class OfficeSection:
    name: str
    country: str
    slug: str = ""  # the office's organisation
    lines: list[OfficeLine] = field(default_factory=list)
    milestones: list[Dated] = field(default_factory=list)


@dataclass
class Report:
    programme: Programme
    start: dt.date
    end: dt.date
    language: str
    title: str
    period_label: str
    narrative: str
    pillars: list[PillarSection]
    events: list[Event]
    milestones: list[Dated]
    stories: list[Dated]
    offices: list[OfficeSection]
    lines: list[IndicatorLine]
    figures: Figures = field(default_factory=Figures)
    note: str = ""  # which audience the report is for, in the report's language
    # Referrals sent in the period, and the days they waited for an answer (the JSON report shows them).
    referrals: AnswerTimes = field(default_factory=AnswerTimes)

    @property
    def audience(self) -> str:
        return self.figures.audience

    @property
    def exceeded(self) -> list[IndicatorLine]:
        return [line for line in self.lines if line.status_shown == engine.Status.EXCEEDED]


def target_for_period(target: str, start: dt.date, end: dt.date) -> str:
    """A target that applies in full to a longer period than the one shown, labelled with that period."""
    return _("%(target)s for %(period)s") % {"target": target, "period": period_label(start, end)}


def period_label(start: dt.date, end: dt.date) -> str:
    """ "August 2021 – December 2021" in the active language; whole months read better than dates."""
    # Asked of the calendar rather than by adding a day, which fails on the last day Python knows.
    whole_months = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    fmt = "F Y" if whole_months else "j F Y"
    first, last = formats.date_format(start, fmt), formats.date_format(end, fmt)
    return first if first == last else f"{first} – {last}"


def render_sentence(
    template: str,
    value: engine.IndicatorValue,
    *,
    breakdown: bool,
    figures: Figures | None = None,
    marks: Mapping[str, str] | None = None,
) -> str:
    """The indicator's sentence; `marks` (by placeholder: value, women, …) say which figures are withheld."""
    figures, marks = figures or Figures(), marks or {}
    counts = value.placeholders()
    numbers = {key: figures.text(n, marks.get(key, SHOWN)) for key, n in counts.items()}
    # A withheld figure's plural form follows its phrase, never the figure itself, which it would give away.
    forms = {key: figures.plural_count(n, marks.get(key, SHOWN)) for key, n in counts.items()}
    language = figures.language or translation.get_language() or "en"
    text = sentences.fill(template, language, numbers, forms)
    # Said whenever the count is withheld too: leaving it out would tell readers that it is 0.
    unknown_mark = marks.get("unknown", SHOWN)
    if breakdown and (value.unknown or unknown_mark != SHOWN) and not sentences.uses(template, "unknown"):
        text += " " + translation.ngettext(
            "Sex or age is not known for %(count)s of them.",
            "Sex or age is not known for %(count)s of them.",
            int(forms["unknown"]),
        ) % {"count": numbers["unknown"]}
    return text


def build_report(
    programme: Programme, start: dt.date, end: dt.date, language: str, *, audience: str = INTERNAL
) -> Report:
    """The report of a period for an audience: internal (every figure) or external (small numbers hidden)."""
    with translation.override(language):
        return _build(programme, start, end, language, Figures.for_audience(programme, audience, language))


def sex_age_cells(value: engine.IndicatorValue, figures: Figures) -> dict[str, int]:
    """The sex × age cells readers get: all of them inside, the four named ones and "unknown" outside."""
    if not value.sex_age or not figures.suppresses:
        return value.sex_age
    return {
        **{cell: value.sex_age.get(cell, 0) for cell in engine.STANDARD_CELLS},
        UNKNOWN_CELL: value.unknown,
    }


def line_figures(
    value: engine.IndicatorValue, figures: Figures, *, persons: bool
) -> tuple[str, list[Cell], dict[str, str]]:
    """The total's mark, the cells as readers see them, and the marks of the sentence's placeholders."""
    total_mark = figures.total_mark(value.total, persons=persons)
    sex_age = sex_age_cells(value, figures)
    # Sex × age cells always count people, whatever the indicator's unit.
    sex_marks = figures.marks(sex_age, total=value.total, total_mark=total_mark)
    places = figures.marks(value.by_locality, total=value.total, total_mark=total_mark, persons=persons)
    cells = [
        Cell("sex_age", key, n, sex=sex, age=age, mark=sex_marks[key], figures=figures)
        for key, n in sex_age.items()
        for sex, age in [("", "") if key == UNKNOWN_CELL else engine.cell_parts(key)]
    ]
    cells += [
        Cell("locality", place, n, locality=place, mark=places[place], figures=figures)
        for place, n in sorted(value.by_locality.items())
        if place != UNSEEN
    ]
    placeholders = {"value": total_mark}
    placeholders.update({key: sex_marks.get(cell, SHOWN) for key, cell in PLACEHOLDER_CELLS.items()})
    return total_mark, cells, placeholders


def organisation_cells(
    value: engine.IndicatorValue,
    organisations: Mapping[int, Organisation],
    figures: Figures,
    *,
    total_mark: str,
    persons: bool,
) -> list[Cell]:
    """The value by the organisation that recorded it, by slug, protected like any other breakdown."""
    by_slug: dict[str, Any] = {}
    for org_id, n in value.by_organisation.items():
        slug = organisations[org_id].slug if org_id in organisations else UNSEEN
        by_slug[slug] = by_slug.get(slug, 0) + n
    marks = figures.marks(by_slug, total=value.total, total_mark=total_mark, persons=persons)
    names = {o.slug: str(o) for o in organisations.values()}
    return [
        Cell("organisation", slug, n, organisation=names[slug], mark=marks[slug], figures=figures)
        for slug, n in sorted(by_slug.items())
        if slug != UNSEEN
    ]


def cell_targets(
    indicator: Indicator,
    value: engine.IndicatorValue,
    cells: list[Cell],
    targets: Mapping[str, Any],
    figures: Figures,
) -> list[CellTarget]:
    """The indicator's targets per sex × age cell against the cells readers see, in the breakdown's order.

    A target for a cell with nothing in it is measured against 0; in external reports the finer unknown
    cells are merged into one, so their targets have no actual to stand against and are left out.
    """
    if not targets or not value.sex_age:
        return []
    shown = {cell.key: cell for cell in cells if cell.dimension == "sex_age"}
    if not figures.suppresses:
        for key in targets:
            if key not in shown:
                sex, age = engine.cell_parts(key)
                shown[key] = Cell("sex_age", key, 0, sex=sex, age=age, figures=figures)
                cells.insert(len(shown) - 1, shown[key])
    order = {key: position for position, key in enumerate(engine.CELL_NAMES)}
    return [
        CellTarget(
            cell=shown[key],
            baseline=target.baseline,
            target=target.target,
            percent=engine.percent_of_target(shown[key].value, target.target),
            status=engine.status(
                shown[key].value, target.target, higher_is_better=indicator.higher_is_better
            ),
        )
        for key, target in sorted(targets.items(), key=lambda item: order[item[0]])
        if key in shown
    ]


def office_sections(
    programme: Programme, organisations: Mapping[int, Organisation]
) -> tuple[dict[int, int], dict[int, OfficeSection]]:
    """The programme's country offices, one section each, by organisation id, and the office each
    organisation's records and milestones belong to (by organisation id).

    An office's own records are its own. A partner's belong to the office of its country when that country
    has one; where it has several, nothing says which of them the partner works with, so they belong to
    none (they still count in every total).
    """
    office_orgs = list(programme.organisations.filter(kind=Organisation.Kind.COUNTRY_OFFICE).order_by("name"))
    offices = {o.pk: OfficeSection(str(o), country_name(o.country), slug=o.slug) for o in office_orgs}
    per_country = Counter(o.country for o in office_orgs)
    sole = {o.country: o.pk for o in office_orgs if per_country[o.country] == 1}
    office_of = {
        o.pk: office
        for o in organisations.values()
        if (office := o.pk if o.pk in offices else sole.get(o.country)) is not None
    }
    return office_of, offices


def _build(programme: Programme, start: dt.date, end: dt.date, language: str, figures: Figures) -> Report:
    indicators = list(
        Indicator.objects.filter(pillar__programme=programme)
        .select_related("pillar")
        .order_by("pillar__number", "order", "code")
    )
    targets = engine.targets_for(indicators, start, end)
    targets_per_cell = engine.cell_targets_for(indicators, start, end)
    organisations = {o.pk: o for o in Organisation.objects.all()}
    pillars: dict[int, PillarSection] = {
        p.pk: PillarSection(p.number, p.title(language)) for p in programme.pillars.order_by("number")
    }
    lines: list[IndicatorLine] = []
    for indicator, value in zip(indicators, engine.values(indicators, start, end), strict=True):
        target_row = targets.get(indicator.pk)
        target = target_row.target if target_row else None
        partial = engine.is_partial(target_row, start, end)
        total_mark, cells, placeholder_marks = line_figures(value, figures, persons=indicator.counts_persons)
        line = IndicatorLine(
            indicator=indicator,
            value=value,
            title=indicator.title(language),
            sentence=render_sentence(
                indicator.sentence(language),
                value,
                breakdown=indicator.sex_age_breakdown,
                figures=figures,
                marks=placeholder_marks,
            ),
            baseline=target_row.baseline if target_row else None,
            target=target,
            percent=engine.percent_of_target(value.total, target),
            status=engine.status(
                value.total, target, higher_is_better=indicator.higher_is_better, partial=partial
            ),
            figures=figures,
            total_mark=total_mark,
            target_period=(target_row.start, target_row.end) if target_row and partial else None,
            breakdown=cells,
            cell_targets=cell_targets(
                indicator, value, cells, targets_per_cell.get(indicator.pk, {}), figures
            ),
            by_organisation=organisation_cells(
                value, organisations, figures, total_mark=total_mark, persons=indicator.counts_persons
            ),
        )
        lines.append(line)
        pillars[indicator.pillar_id].lines.append(line)

    general_events: list[Event] = []
    activities = (
        Activity.objects.filter(
            programme=programme, date__gte=start, date__lte=end, activity_type__notable=True
        )
        .select_related("activity_type")
        .prefetch_related("participant_groups")
        .order_by("date", "pk")
    )
    for activity in activities:
        event = Event(
            date=activity.date,
            type_label=activity.activity_type.label(language),
            locality=activity.locality,
            attendance=activity.attendance_total,
            groups=[g.label(language) for g in activity.participant_groups.all()],
        )
        section = pillars.get(activity.pillar_id) if activity.pillar_id else None
        (section.events if section else general_events).append(event)

    office_of, offices = office_sections(programme, organisations)
    general_milestones: list[Dated] = []
    for milestone in Milestone.objects.filter(programme=programme, date__gte=start, date__lte=end):
        item = Dated(milestone.date, milestone.text(language))
        office = office_of.get(milestone.organisation_id)
        if milestone.pillar_id and milestone.pillar_id in pillars:
            pillars[milestone.pillar_id].milestones.append(item)
        elif office is not None:
            offices[office].milestones.append(item)
        else:
            general_milestones.append(item)

    for line in lines:
        # The offices' figures are a breakdown of the total too: what belongs to no office is the part no
        # output shows.
        in_office: dict[int, Any] = {
            office: sum(
                (n for org_id, n in line.value.by_organisation.items() if office_of.get(org_id) == office), 0
            )
            for office in offices
        }
        shown = {office: n for office, n in in_office.items() if n}
        marks = figures.marks(
            {
                **{str(office): n for office, n in shown.items()},
                UNSEEN: line.value.total - sum(shown.values()),
            },
            total=line.value.total,
            total_mark=line.total_mark,
            persons=line.persons,
        )
        for office, n in shown.items():
            offices[office].lines.append(
                OfficeLine(line.title, n, marks[str(office)], figures, code=line.indicator.code)
            )

    # Only stories about no one, or about someone whose consent to publication holds (see privacy/consents.py).
    stories = [
        Dated(story.date, story.text(language))
        for story in publishable(
            Story.objects.filter(programme=programme, date__gte=start, date__lte=end)
        ).order_by("date", "pk")
    ]
    narrative = (
        PeriodNarrative.objects.filter(programme=programme, start=start, end=end, language=language)
        .values_list("text", flat=True)
        .first()
    ) or ""
    label = period_label(start, end)
    return Report(
        programme=programme,
        start=start,
        end=end,
        language=language,
        title=_("%(programme)s: results for %(period)s") % {"programme": programme.name, "period": label},
        period_label=label,
        narrative=narrative,
        pillars=list(pillars.values()),
        events=general_events,
        milestones=general_milestones,
        stories=stories,
        offices=list(offices.values()),
        lines=lines,
        figures=figures,
        note=figures.note(),
        referrals=referral_figures.answer_times(referral_figures.of_programme(programme), start, end),
    )
