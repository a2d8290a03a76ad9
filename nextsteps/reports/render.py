"""Turn a built Report into Markdown, HTML or JSON (documents: see documents.py).

Figures come from the report's Figures (line.actual_text, line.actual_cell, cell.shown, …), never from
formatting here, so that the external audience's rule (small numbers of people withheld) holds in every
format at once.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from nextsteps.reports.builder import Dated, Event, Report, as_number, referral_marks, tracking_head
from nextsteps.reports.charts import ChartRow, png_bars, svg_bars

FORMATS = ("md", "html", "json")


def render(report: Report, fmt: str) -> str:
    with translation.override(report.language):
        if fmt == "md":
            return to_markdown(report)
        if fmt == "html":
            return to_html(report)
        if fmt == "json":
            return json.dumps(to_data(report), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(fmt)


def to_html(report: Report, *, for_print: bool = False) -> str:
    """The report page; for_print adds the page rules that the PDF needs (paper size, margins)."""
    with translation.override(report.language):
        chart = mark_safe(chart_svg(report, xmlns=False))  # built from escaped text only
        return render_to_string(
            "reports/report.html",
            {"report": report, "conclusion": conclusion(report), "chart": chart, "for_print": for_print},
        )


def to_page_section(report: Report) -> str:
    """The report as the app's reports page shows it, inside a page that speaks the reader's language.

    The whole fragment is rendered with the report's language active: headings, table, statuses, month
    names, number and date formats follow it, whatever the page around it (menu, form) speaks.
    """
    with translation.override(report.language):
        return render_to_string(
            "reports/_report_body.html",
            {"report": report, "conclusion": conclusion(report), "embedded": True},
        )


def chart_title() -> str:
    return _("Actual against target")


def chart_rows(report: Report) -> list[ChartRow]:
    """Every indicator with a target for the period, figures as the report's readers may see them."""
    rows = []
    for line in report.lines:
        if line.target is None:
            continue
        shown = line.actual_cell
        rows.append(
            ChartRow(
                label=line.title,
                # A withheld figure must not show through the length of its bar either.
                actual=shown if isinstance(shown, int | float) else 0,
                target=line.target,
                actual_text=line.actual_text,
                target_text=line.target_text,
            )
        )
    return rows


def chart_svg(report: Report, *, xmlns: bool = True) -> str:
    with translation.override(report.language):
        return svg_bars(chart_rows(report), title=chart_title(), chart_id="report-chart", xmlns=xmlns)


def chart_png(report: Report) -> bytes:
    with translation.override(report.language):
        return png_bars(chart_rows(report), title=chart_title())


def _date(value: Any) -> str:
    return formats.date_format(value, "j F Y")


# Characters that make Markdown out of text: emphasis, code, links and images, table cells, and raw HTML
# (<, > and & become entities, so no tag or autolink survives).
_INLINE = re.compile(r"([\\`*_\[\]|~])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# What starts a heading, list, quote or rule at the beginning of a line.
_BLOCK_START = re.compile(r"^(\s*\d*)([#\-+=.)])")


def md(text: Any) -> str:
    """Text that people typed (names, titles, narratives, milestones, stories) as literal Markdown text: no
    raw HTML, no links (javascript: or any other), no headings or lists of their own. Line breaks stay."""
    lines = []
    for line in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = "".join(_ENTITIES.get(char, char) for char in line)
        line = _INLINE.sub(r"\\\1", line)
        lines.append(_BLOCK_START.sub(r"\1\\\2", line))
    return "\n".join(lines)


def md_line(text: Any) -> str:
    """Typed text on one line: a list item or table cell ends at a line break."""
    return " ".join(md(text).split("\n"))


def to_markdown(report: Report) -> str:
    out: list[str] = [f"# {md_line(report.title)}", "", f"*{md_line(report.note)}*", ""]
    if report.narrative:
        out += [md(report.narrative), ""]
    for pillar in report.pillars:
        heading = _("Pillar %(number)s: %(title)s") % {
            "number": pillar.number,
            "title": md_line(pillar.title),
        }
        out += [f"## {heading}", ""]
        out += [f"- {md_line(line.sentence)}" for line in pillar.lines]
        out += [f"- {md_line(event.sentence())}" for event in pillar.events]
        out += [f"- {_date(m.date)}: {md_line(m.text)}" for m in pillar.milestones]
        out.append("")
    if report.events:
        out += (
            [f"## {_('Notable events')}", ""] + [f"- {md_line(e.sentence())}" for e in report.events] + [""]
        )
    if report.milestones:
        out += (
            [f"## {_('Milestones')}", ""]
            + [f"- {_date(m.date)}: {md_line(m.text)}" for m in report.milestones]
            + [""]
        )
    for office in report.offices:
        heading = _("%(office)s (%(country)s)") % {"office": md_line(office.name), "country": office.country}
        out += [f"## {heading}", ""]
        out += [f"- {md_line(line.title)}: {md_line(line.text)}" for line in office.lines]
        out += [f"- {_date(m.date)}: {md_line(m.text)}" for m in office.milestones]
        if not office.lines and not office.milestones:
            out.append(f"- {_('Nothing was recorded for this office in this period.')}")
        out.append("")
    if report.stories:
        out += [f"## {_('Stories')}", ""]
        for story in report.stories:
            out += ["\n".join(f"> {line}" for line in md(story.text).split("\n")), ""]
    out += [f"## {_('Conclusion')}", "", conclusion(report), ""]
    if report.exceeded:
        out += [f"- {md_line(line.title)}" for line in report.exceeded] + [""]
    out += [f"## {_('Indicators against targets')}", ""]
    head = tracking_head()
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += [
        "| " + " | ".join(md_line(cell) for cell in row) + " |"
        for line in report.lines
        for row in line.tracking_rows
    ]
    out.append("")
    return "\n".join(out)


def conclusion(report: Report) -> str:
    exceeded = report.exceeded
    if not exceeded:
        return _("No targets were exceeded in this period.")
    return translation.ngettext(
        "In this period the programme exceeded its target for one indicator:",
        "In this period the programme exceeded its targets for %(count)d indicators:",
        len(exceeded),
    ) % {"count": len(exceeded)}


def _event(report: Report, e: Event, pillar: int | None) -> dict[str, Any]:
    figures = report.figures
    return {
        "pillar": pillar,
        "sentence": e.sentence(),
        "date": e.date.isoformat(),
        "type": e.type_label,
        "locality": e.locality,
        # Attendance counts people: a meeting of three is withheld like any other small count.
        "attendance": figures.cell(e.attendance, figures.total_mark(e.attendance, persons=True)),
        "participant_groups": e.groups,
    }


def to_data(report: Report) -> dict[str, Any]:
    return {
        "programme": {"slug": report.programme.slug, "name": report.programme.name},
        "period": {
            "from": report.start.isoformat(),
            "to": report.end.isoformat(),
            "label": report.period_label,
        },
        "language": report.language,
        "audience": report.audience,
        "audience_note": report.note,
        "title": report.title,
        "narrative": report.narrative,
        "indicators": [
            {
                "code": line.indicator.code,
                "pillar": line.indicator.pillar.number,
                "title": line.title,
                "sentence": line.sentence,
                "unit": line.indicator.unit,
                "measure": line.indicator.measure,
                "aggregatable_across_periods": not line.indicator.is_distinct,
                "value": line.actual_cell,
                "cells": {
                    **{
                        dimension: {c.key: c.shown for c in line.cells() if c.dimension == dimension}
                        for dimension in ("sex_age", "locality")
                    },
                    "organisation": {c.key: c.shown for c in line.by_organisation},
                },
                "baseline": as_number(line.baseline),
                "target": as_number(line.target),
                # Set when the target is of a longer period that contains the report's, compared in full.
                "target_period": (
                    {"start": line.target_period[0].isoformat(), "end": line.target_period[1].isoformat()}
                    if line.target_period
                    else None
                ),
                "percent_of_target": as_number(line.percent_shown),
                "status": line.status_shown,
                # Targets per sex × age cell, keyed like cells["sex_age"]; only cells that have one.
                "cell_targets": {
                    c.cell.key: {
                        "baseline": as_number(c.baseline),
                        "target": as_number(c.target),
                        "value": c.cell.shown,
                        "percent_of_target": as_number(c.percent_shown),
                        "status": c.status_shown,
                    }
                    for c in line.cell_targets
                },
            }
            for line in report.lines
        ],
        "pillars": [{"number": p.number, "title": p.title} for p in report.pillars],
        # Events and milestones name their section: a pillar's number, an office's organisation, or null
        # for the report's general sections.
        "events": [
            *(_event(report, e, p.number) for p in report.pillars for e in p.events),
            *(_event(report, e, None) for e in report.events),
        ],
        "milestones": [
            *(_milestone(m, pillar=p.number) for p in report.pillars for m in p.milestones),
            *(_milestone(m) for m in report.milestones),
            *(_milestone(m, office=o.slug) for o in report.offices for m in o.milestones),
        ],
        "stories": [{"date": s.date.isoformat(), "text": s.text} for s in report.stories],
        "offices": [
            {
                "name": o.name,
                "organisation": o.slug,
                "country": o.country,
                "indicators": [
                    {"code": line.code, "title": line.title, "value": line.shown} for line in o.lines
                ],
            }
            for o in report.offices
        ],
        "conclusion": {
            "text": conclusion(report),
            "exceeded": [line.indicator.code for line in report.exceeded],
        },
        "exceeded": [line.indicator.code for line in report.exceeded],
        "referrals": _referrals(report),
    }


def _referrals(report: Report) -> dict[str, Any]:
    """Referrals sent in the period: what became of them, and the days from sending to the answer
    (median and longest), withheld for outside readers like every small count of people."""
    times, figures = report.referrals, report.figures
    marks = referral_marks(times, figures)
    return {
        **{state: figures.cell(n, marks[state]) for state, n in times.counts().items()},
        "median_days_to_answer": figures.cell(times.median_days, marks["median_days"]),
        "max_days_to_answer": figures.cell(times.max_days, marks["max_days"]),
    }


def _milestone(m: Dated, *, pillar: int | None = None, office: str | None = None) -> dict[str, Any]:
    return {"pillar": pillar, "office": office, "date": m.date.isoformat(), "text": m.text}
