"""Assemble a programme's period report from indicator values and records, in one language.

The builder returns plain data (dataclasses); renderers turn it into Markdown, HTML or JSON. A whole report
costs a fixed handful of queries plus one per indicator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator
from nextsteps.privacy.consents import publishable
from nextsteps.programmes.models import Milestone, Organisation, PeriodNarrative, Programme
from nextsteps.records.models import Activity, Story

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


class Figures:
    """How figures are shown to readers: every renderer takes its numbers from here, never formats its own.

    This is the one place where an audience changes what is shown. The internal report shows every figure;
    a report for outsiders will override `withheld` to replace small person counts by a phrase such as
    "fewer than 5" (programme.suppression_threshold), and every format follows.
    """

    def withheld(self, value: int | Decimal | None, *, persons: bool) -> str | None:
        """The phrase shown instead of this figure, or None to show the figure."""
        return None

    def text(self, value: int | Decimal | None, *, persons: bool = False) -> str:
        """For prose and tables: the figure in the active language's notation, or the phrase."""
        return self.withheld(value, persons=persons) or fmt_number(value)

    def cell(self, value: int | Decimal | None, *, persons: bool = False) -> int | float | str | None:
        """For spreadsheets and JSON: a number, or the phrase when the number is withheld."""
        return self.withheld(value, persons=persons) or as_number(value)


def status_label(status: str) -> str:
    return {
        engine.Status.EXCEEDED: _("exceeded"),
        engine.Status.MET: _("met"),
        engine.Status.BEHIND: _("behind"),
        engine.Status.NO_TARGET: _("no target"),
    }[status]


def sex_label(sex: str) -> str:
    return {"female": _("female"), "male": _("male"), "other": _("other sex")}.get(sex, _("sex unknown"))


def age_label(age: str) -> str:
    return {"adult": _("adult"), "child": _("child")}.get(age, _("age unknown"))


def cell_label(cell: str) -> str:
    """A sex × age cell for readers: "girls", or "male, age unknown" outside the four named cells."""
    named = {"woman": _("women"), "girl": _("girls"), "man": _("men"), "boy": _("boys")}
    if cell in named:
        return named[cell]
    sex, age = engine.cell_parts(cell)
    return _("%(sex)s, %(age)s") % {"sex": sex_label(sex), "age": age_label(age)}


@dataclass
class Cell:
    """One disaggregation cell of an indicator's value: a sex × age cell or a locality."""

    dimension: str  # "sex_age" or "locality"
    key: str  # the cell name ("woman", "unknown_adult") or the locality
    value: int | Decimal
    sex: str = ""
    age: str = ""
    locality: str = ""

    @property
    def label(self) -> str:
        return cell_label(self.key) if self.dimension == "sex_age" else self.locality

    @property
    def sex_text(self) -> str:
        return sex_label(self.sex) if self.dimension == "sex_age" else ""

    @property
    def age_text(self) -> str:
        return age_label(self.age) if self.dimension == "sex_age" else ""

    @property
    def persons(self) -> bool | None:
        """Sex × age cells always count people; a locality cell counts what its indicator counts."""
        return True if self.dimension == "sex_age" else None


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

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def persons(self) -> bool:
        return self.indicator.counts_persons

    def display(self, value: int | Decimal | None, *, persons: bool | None = None) -> str:
        """A figure of this line (total or cell) as readers see it."""
        return self.figures.text(value, persons=self.persons if persons is None else persons)

    def display_cell(
        self, value: int | Decimal | None, *, persons: bool | None = None
    ) -> int | float | str | None:
        return self.figures.cell(value, persons=self.persons if persons is None else persons)

    # Targets and baselines are plans, not people: they are never withheld.
    @property
    def actual_text(self) -> str:
        return self.display(self.value.total)

    @property
    def baseline_text(self) -> str:
        return self.figures.text(self.baseline)

    @property
    def target_text(self) -> str:
        return self.figures.text(self.target)

    @property
    def percent_shown(self) -> Decimal | None:
        """The percent of target, unless the actual is withheld (the percent would give it away)."""
        if self.figures.withheld(self.value.total, persons=self.persons) is not None:
            return None
        return self.percent

    def cells(self) -> list[Cell]:
        """Every disaggregation cell: sex × age cells (when the records carry sex and age), then localities."""
        out = [
            Cell("sex_age", cell, n, sex=sex, age=age)
            for cell, n in self.value.sex_age.items()
            for sex, age in [engine.cell_parts(cell)]
        ]
        out += [
            Cell("locality", place, n, locality=place)
            for place, n in sorted(self.value.by_locality.items())
            if place
        ]
        return out

    @property
    def percent_text(self) -> str:
        percent = self.percent_shown
        return "–" if percent is None else f"{fmt_number(percent)}%"


@dataclass
class Event:
    date: dt.date
    title: str
    type_label: str
    locality: str
    attendance: int
    groups: list[str]

    def sentence(self) -> str:
        when = formats.date_format(self.date, "j F Y")
        if self.groups:
            return _("%(date)s, %(place)s: %(title)s (%(type)s), with %(groups)s.") % {
                "date": when,
                "place": self.locality,
                "title": self.title,
                "type": self.type_label,
                "groups": ", ".join(self.groups),
            }
        return _("%(date)s, %(place)s: %(title)s (%(type)s).") % {
            "date": when,
            "place": self.locality,
            "title": self.title,
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
    persons: bool = False
    figures: Figures = field(default_factory=Figures)

    @property
    def text(self) -> str:
        return self.figures.text(self.value, persons=self.persons)


@dataclass
class OfficeSection:
    name: str
    country: str
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

    def display(self, value: int | Decimal | None, *, persons: bool = False) -> str:
        return self.figures.text(value, persons=persons)

    @property
    def exceeded(self) -> list[IndicatorLine]:
        return [line for line in self.lines if line.status == engine.Status.EXCEEDED]


def period_label(start: dt.date, end: dt.date) -> str:
    """ "August 2021 – December 2021" in the active language; whole months read better than dates."""
    whole_months = start.day == 1 and (end + dt.timedelta(days=1)).day == 1
    fmt = "F Y" if whole_months else "j F Y"
    first, last = formats.date_format(start, fmt), formats.date_format(end, fmt)
    return first if first == last else f"{first} – {last}"


def render_sentence(
    template: str,
    value: engine.IndicatorValue,
    *,
    breakdown: bool,
    figures: Figures | None = None,
    persons: bool = False,
) -> str:
    figures = figures or Figures()
    # The sex × age placeholders always count people, whatever the indicator's unit.
    numbers = {
        key: figures.text(n, persons=persons or key != "value") for key, n in value.placeholders().items()
    }
    text = template.format_map(numbers)
    if breakdown and value.unknown and "{unknown}" not in template:
        text += " " + _("Sex or age is not known for %(count)s of them.") % {"count": numbers["unknown"]}
    return text


def build_report(
    programme: Programme, start: dt.date, end: dt.date, language: str, *, figures: Figures | None = None
) -> Report:
    """The report of a period; `figures` decides how figures are shown (default: every figure, as is)."""
    with translation.override(language):
        return _build(programme, start, end, language, figures or Figures())


def _build(programme: Programme, start: dt.date, end: dt.date, language: str, figures: Figures) -> Report:
    indicators = list(
        Indicator.objects.filter(pillar__programme=programme)
        .select_related("pillar")
        .order_by("pillar__number", "order", "code")
    )
    targets = engine.targets_for(indicators, start, end)
    pillars: dict[int, PillarSection] = {
        p.pk: PillarSection(p.number, p.title(language)) for p in programme.pillars.order_by("number")
    }
    lines: list[IndicatorLine] = []
    for indicator in indicators:
        value = engine.value(indicator, start, end)
        target_row = targets.get(indicator.pk)
        target = target_row.target if target_row else None
        line = IndicatorLine(
            indicator=indicator,
            value=value,
            title=indicator.title(language),
            sentence=render_sentence(
                indicator.sentence(language),
                value,
                breakdown=indicator.sex_age_breakdown,
                figures=figures,
                persons=indicator.counts_persons,
            ),
            baseline=target_row.baseline if target_row else None,
            target=target,
            percent=engine.percent_of_target(value.total, target),
            status=engine.status(value.total, target, higher_is_better=indicator.higher_is_better),
            figures=figures,
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
            title=activity.title,
            type_label=activity.activity_type.label(language),
            locality=activity.locality,
            attendance=activity.attendance_total,
            groups=[g.label(language) for g in activity.participant_groups.all()],
        )
        section = pillars.get(activity.pillar_id) if activity.pillar_id else None
        (section.events if section else general_events).append(event)

    organisations = {o.pk: o for o in Organisation.objects.all()}
    offices = {
        o.country: OfficeSection(str(o), country_name(o.country))
        for o in programme.organisations.filter(kind=Organisation.Kind.COUNTRY_OFFICE).order_by("name")
    }
    general_milestones: list[Dated] = []
    for milestone in Milestone.objects.filter(
        programme=programme, date__gte=start, date__lte=end
    ).select_related("organisation"):
        item = Dated(milestone.date, milestone.text(language))
        if milestone.pillar_id and milestone.pillar_id in pillars:
            pillars[milestone.pillar_id].milestones.append(item)
        elif milestone.organisation.country in offices:
            offices[milestone.organisation.country].milestones.append(item)
        else:
            general_milestones.append(item)

    for country, office in offices.items():
        for line in lines:
            in_country: Any = sum(
                (
                    n
                    for org_id, n in line.value.by_organisation.items()
                    if org_id in organisations and organisations[org_id].country == country
                ),
                0,
            )
            if in_country:
                office.lines.append(OfficeLine(line.title, in_country, line.persons, figures))

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
    )
