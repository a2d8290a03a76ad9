"""The programme's results as an IATI 2.03 activity file, for donors that take results through IATI.

One `result` per pillar (type from the pillar's ResultType), one `indicator` per indicator with its
baseline and one `period` (the export's) holding target and actual. Disaggregations go either into
`dimension`s on extra target/actual elements (sex, age, locality), or, with split_dimensions, into
indicators of their own, one per cell, as the Dutch Ministry of Foreign Affairs asks.

Figures come from the same report builder as every other format, through its Figures. IATI data is public
by nature, so the export is for the external audience unless asked otherwise: a withheld figure (fewer
than 5 people, or a cell hidden to protect one) has no value attribute (the schema wants a number there)
and carries its phrase as a comment in each language instead; the activity says so in a description.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from nextsteps.indicators.models import Target
from nextsteps.programmes.models import Pillar, Programme
from nextsteps.reports.builder import (
    EXTERNAL,
    UNKNOWN_CELL,
    Cell,
    Figures,
    IndicatorLine,
    build_report,
    cell_label,
)
from nextsteps.reports.suppression import SHOWN

IATI_VERSION = "2.03"
# The activity's default language comes first; narratives in the others carry xml:lang.
LANGUAGES = ("en", "nl", "ro")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

MEASURE_UNIT = "1"  # IndicatorMeasure: unit
ACTIVITY_STATUS_IMPLEMENTATION = "2"  # ActivityStatus
ACTIVITY_DATE_ACTUAL_START = "2"  # ActivityDateType
ROLE_ACCOUNTABLE, ROLE_IMPLEMENTING = "2", "4"  # OrganisationRole
DESCRIPTION_GENERAL, DESCRIPTION_OTHER = "1", "4"  # DescriptionType
INDICATOR_VOCABULARY_OWN = "99"  # IndicatorVocabulary: the reporting organisation's own codes

REQUIRED_SETTINGS = (
    "iati_identifier",
    "iati_reporting_org_ref",
    "iati_reporting_org_type",
    "iati_reporting_org_name",
    "iati_sector_code",
)


class MissingSettings(Exception):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def missing_settings(programme: Programme) -> list[str]:
    """Verbose names of the IATI settings the programme still lacks."""
    fields = {field.name: field for field in Programme._meta.fields}
    return [
        str(fields[name].verbose_name)
        for name in REQUIRED_SETTINGS
        if not str(getattr(programme, name)).strip()
    ]


def export_iati(
    programme: Programme,
    start: dt.date,
    end: dt.date,
    *,
    split_dimensions: bool = False,
    now: dt.datetime | None = None,
    audience: str = EXTERNAL,
) -> bytes:
    root = build_activities(
        programme, start, end, split_dimensions=split_dimensions, now=now, audience=audience
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_activities(
    programme: Programme,
    start: dt.date,
    end: dt.date,
    *,
    split_dimensions: bool = False,
    now: dt.datetime | None = None,
    audience: str = EXTERNAL,
) -> etree._Element:
    missing = missing_settings(programme)
    if missing:
        raise MissingSettings(missing)
    stamp = (now or timezone.now()).replace(microsecond=0).isoformat()
    report = build_report(programme, start, end, LANGUAGES[0], audience=audience)
    pillars = {p.number: p for p in Pillar.objects.filter(programme=programme)}
    cell_targets: dict[tuple[int, str], Target] = {
        (t.indicator_id, t.cell): t
        for t in Target.objects.filter(indicator__pillar__programme=programme, start=start, end=end).exclude(
            cell=""
        )
    }

    root = etree.Element("iati-activities", {"version": IATI_VERSION, "generated-datetime": stamp})
    activity = etree.SubElement(
        root, "iati-activity", {XML_LANG: LANGUAGES[0], "last-updated-datetime": stamp}
    )
    _text(activity, "iati-identifier", programme.iati_identifier.strip())
    org = etree.SubElement(
        activity,
        "reporting-org",
        {"ref": programme.iati_reporting_org_ref.strip(), "type": programme.iati_reporting_org_type.strip()},
    )
    _narratives(org, {LANGUAGES[0]: programme.iati_reporting_org_name})
    _narratives(etree.SubElement(activity, "title"), {LANGUAGES[0]: programme.name})
    _narratives(
        etree.SubElement(activity, "description", {"type": DESCRIPTION_GENERAL}),
        {LANGUAGES[0]: programme.description or programme.name},
    )
    _narratives(
        etree.SubElement(activity, "description", {"type": DESCRIPTION_OTHER}),
        {lang: in_language(report.figures, lang).note() for lang in LANGUAGES},
    )
    accountable = etree.SubElement(
        activity,
        "participating-org",
        {
            "ref": programme.iati_reporting_org_ref.strip(),
            "type": programme.iati_reporting_org_type.strip(),
            "role": ROLE_ACCOUNTABLE,
        },
    )
    _narratives(accountable, {LANGUAGES[0]: programme.iati_reporting_org_name})
    for organisation in programme.organisations.order_by("name"):
        implementing = etree.SubElement(activity, "participating-org", {"role": ROLE_IMPLEMENTING})
        _narratives(implementing, {LANGUAGES[0]: organisation.name})
    etree.SubElement(activity, "activity-status", {"code": ACTIVITY_STATUS_IMPLEMENTATION})
    etree.SubElement(
        activity,
        "activity-date",
        {"type": ACTIVITY_DATE_ACTUAL_START, "iso-date": programme.start_date.isoformat()},
    )
    for country in recipient_countries(programme):
        etree.SubElement(activity, "recipient-country", {"code": country})
    sector = {"code": programme.iati_sector_code.strip()}
    if programme.iati_sector_vocabulary.strip():
        sector = {"vocabulary": programme.iati_sector_vocabulary.strip(), **sector}
    etree.SubElement(activity, "sector", sector)

    for section in report.pillars:
        if not section.lines:
            continue  # IATI wants at least one indicator per result
        pillar = pillars[section.number]
        result = etree.SubElement(activity, "result", {"type": pillar.iati_result_type})
        _narratives(etree.SubElement(result, "title"), _per_language(pillar, "title"))
        for line in section.lines:
            _indicator(result, line, start, end, cell_targets, split_dimensions=split_dimensions)
    return root


def recipient_countries(programme: Programme) -> list[str]:
    """The programme's countries, less the reporting organisation's own (where the money comes from).

    Organisation identifiers begin with their registry's country code (NL-KVK-…), except for the
    international prefixes XI- and XM-.
    """
    home = programme.iati_reporting_org_ref.strip()[:2].upper()
    return [c.upper() for c in programme.countries if c.upper() != home]


def _indicator(
    result: etree._Element,
    line: IndicatorLine,
    start: dt.date,
    end: dt.date,
    cell_targets: Mapping[tuple[int, str], Target],
    *,
    split_dimensions: bool,
) -> None:
    indicator = line.indicator
    titles = _per_language(indicator, "title")

    def cell_target(cell: Cell) -> Target | None:
        # Targets per cell exist for sex × age cells (Target.cell "woman", "girl", …), not for localities.
        return cell_targets.get((indicator.pk, cell.key)) if cell.dimension == "sex_age" else None

    element = _indicator_element(result, line, titles, indicator.code)
    if line.baseline is not None:
        _baseline(element, line.baseline, start)
    period = _period(element, start, end)
    if line.target is not None:
        _value(period, "target", line.target)
    if not split_dimensions:
        for cell in line.cells():
            target = cell_target(cell)
            if target and target.target is not None:
                _value(period, "target", target.target, cell=cell)
    _value(period, "actual", line.value.total, figures=line.figures, mark=line.total_mark)
    if not split_dimensions:
        for cell in line.cells():
            _actual(period, line, cell, with_dimensions=True)
        return
    # One indicator per cell: its title names the cell in each language, its code extends the indicator's.
    for cell in line.cells():
        cell_titles = {}
        for lang, title in titles.items():
            with translation.override(lang):
                label = cell_label(cell.key) if cell.dimension == "sex_age" else cell.locality
                cell_titles[lang] = _("%(indicator)s: %(cell)s") % {"indicator": title, "cell": label}
        element = _indicator_element(
            result, line, cell_titles, f"{indicator.code}:{cell.dimension}:{cell.key}"
        )
        target = cell_target(cell)
        if target and target.baseline is not None:
            _baseline(element, target.baseline, start)
        period = _period(element, start, end)
        if target and target.target is not None:
            _value(period, "target", target.target)
        _actual(period, line, cell, with_dimensions=False)


def _actual(period: etree._Element, line: IndicatorLine, cell: Cell, *, with_dimensions: bool) -> None:
    _value(
        period,
        "actual",
        cell.value,
        cell=cell if with_dimensions else None,
        figures=line.figures,
        mark=cell.mark,
    )


def in_language(figures: Figures, language: str) -> Figures:
    return dataclasses.replace(figures, language=language)


def _indicator_element(
    result: etree._Element, line: IndicatorLine, titles: dict[str, str], code: str
) -> etree._Element:
    element = etree.SubElement(
        result,
        "indicator",
        {
            "measure": MEASURE_UNIT,
            "ascending": "1" if line.indicator.higher_is_better else "0",
            # 67 families each month is 67 over five months: distinct counts must not be summed by readers.
            "aggregation-status": "0" if line.indicator.is_distinct else "1",
        },
    )
    _narratives(etree.SubElement(element, "title"), titles)
    etree.SubElement(element, "reference", {"vocabulary": INDICATOR_VOCABULARY_OWN, "code": code})
    return element


def _baseline(indicator: etree._Element, value: Decimal, start: dt.date) -> None:
    etree.SubElement(
        indicator,
        "baseline",
        {"year": str(start.year), "iso-date": start.isoformat(), "value": _number(value)},
    )


def _period(indicator: etree._Element, start: dt.date, end: dt.date) -> etree._Element:
    period = etree.SubElement(indicator, "period")
    etree.SubElement(period, "period-start", {"iso-date": start.isoformat()})
    etree.SubElement(period, "period-end", {"iso-date": end.isoformat()})
    return period


def _value(
    period: etree._Element,
    tag: str,
    value: Any,
    *,
    cell: Cell | None = None,
    figures: Figures | None = None,
    mark: str = SHOWN,
) -> None:
    """A target or actual; a withheld figure has no value and gives its phrase as the comment instead."""
    withheld = figures is not None and mark != SHOWN
    element = etree.SubElement(period, tag, {} if withheld or value is None else {"value": _number(value)})
    if cell is not None:
        for name, dimension_value in _dimensions(cell):
            etree.SubElement(element, "dimension", {"name": name, "value": dimension_value})
    if withheld:
        assert figures is not None
        phrases = {lang: in_language(figures, lang).phrase(mark) or "" for lang in LANGUAGES}
        _narratives(etree.SubElement(element, "comment"), phrases)


def _dimensions(cell: Cell) -> list[tuple[str, str]]:
    if cell.key == UNKNOWN_CELL and cell.dimension == "sex_age":
        return [("sex or age", "unknown")]
    if cell.dimension == "sex_age":
        return [("sex", cell.sex), ("age", cell.age)]
    return [("locality", cell.locality)]


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _per_language(obj: Any, field: str) -> dict[str, str]:
    return {lang: str(getattr(obj, f"{field}_{lang}", "") or "") for lang in LANGUAGES}


def _narratives(parent: etree._Element, texts: Mapping[str, str]) -> None:
    """One narrative per language that has a text; the activity's default language goes without xml:lang."""
    written = False
    for lang in LANGUAGES:
        text = (texts.get(lang) or "").strip()
        if not text:
            continue
        narrative = etree.SubElement(parent, "narrative")
        if lang != LANGUAGES[0]:
            narrative.set(XML_LANG, lang)
        narrative.text = text
        written = True
    if not written:
        # Every title needs a narrative; an empty one is better than an invalid file.
        etree.SubElement(parent, "narrative").text = "–"


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    return element
