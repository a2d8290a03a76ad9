"""Turn a built Report into Markdown, HTML or JSON. Call inside translation.override(report.language)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from nextsteps.reports.builder import Event, Report, fmt_number

FORMATS = ("md", "html", "json")


def render(report: Report, fmt: str) -> str:
    with translation.override(report.language):
        if fmt == "md":
            return to_markdown(report)
        if fmt == "html":
            return render_to_string(
                "reports/report.html", {"report": report, "conclusion": conclusion(report)}
            )
        if fmt == "json":
            return json.dumps(to_data(report), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(fmt)


def _date(value: Any) -> str:
    return formats.date_format(value, "j F Y")


def _percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{fmt_number(value)}%"


def to_markdown(report: Report) -> str:
    out: list[str] = [f"# {report.title}", ""]
    if report.narrative:
        out += [report.narrative, ""]
    for pillar in report.pillars:
        out += [
            f"## {_('Pillar %(number)s: %(title)s') % {'number': pillar.number, 'title': pillar.title}}",
            "",
        ]
        out += [f"- {line.sentence}" for line in pillar.lines]
        out += [f"- {event.sentence()}" for event in pillar.events]
        out += [f"- {_date(m.date)}: {m.text}" for m in pillar.milestones]
        out.append("")
    if report.events:
        out += [f"## {_('Notable events')}", ""] + [f"- {e.sentence()}" for e in report.events] + [""]
    if report.milestones:
        out += (
            [f"## {_('Milestones')}", ""] + [f"- {_date(m.date)}: {m.text}" for m in report.milestones] + [""]
        )
    for office in report.offices:
        out += [
            f"## {_('%(office)s (%(country)s)') % {'office': office.name, 'country': office.country}}",
            "",
        ]
        out += [f"- {line.title}: {fmt_number(line.value)}" for line in office.lines]
        out += [f"- {_date(m.date)}: {m.text}" for m in office.milestones]
        if not office.lines and not office.milestones:
            out.append(f"- {_('Nothing was recorded for this office in this period.')}")
        out.append("")
    if report.stories:
        out += [f"## {_('Stories')}", ""] + [f"> {s.text}\n" for s in report.stories]
    out += [f"## {_('Conclusion')}", "", conclusion(report), ""]
    if report.exceeded:
        out += [f"- {line.title}" for line in report.exceeded] + [""]
    out += [f"## {_('Indicators against targets')}", ""]
    head = [_("Indicator"), _("Baseline"), _("Target"), _("Actual"), _("Percent of target"), _("Status")]
    out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for line in report.lines:
        cells = [
            line.title,
            fmt_number(line.baseline),
            fmt_number(line.target),
            fmt_number(line.value.total),
            _percent(line.percent),
            line.status_label,
        ]
        out.append("| " + " | ".join(cells) + " |")
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


def _number(value: int | Decimal | None) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _event(e: Event) -> dict[str, Any]:
    return {
        "date": e.date.isoformat(),
        "title": e.title,
        "type": e.type_label,
        "locality": e.locality,
        "attendance": e.attendance,
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
                "value": _number(line.value.total),
                "cells": {
                    "sex_age": line.value.sex_age,
                    "locality": {k: _number(v) for k, v in sorted(line.value.by_locality.items()) if k},
                },
                "baseline": _number(line.baseline),
                "target": _number(line.target),
                "percent_of_target": _number(line.percent),
                "status": line.status,
            }
            for line in report.lines
        ],
        "events": [_event(e) for e in [*(e for p in report.pillars for e in p.events), *report.events]],
        "milestones": [
            {"date": m.date.isoformat(), "text": m.text}
            for m in [
                *(m for p in report.pillars for m in p.milestones),
                *report.milestones,
                *(m for o in report.offices for m in o.milestones),
            ]
        ],
        "stories": [{"date": s.date.isoformat(), "text": s.text} for s in report.stories],
        "offices": [
            {
                "name": o.name,
                "country": o.country,
                "indicators": [{"title": line.title, "value": _number(line.value)} for line in o.lines],
            }
            for o in report.offices
        ],
        "exceeded": [line.indicator.code for line in report.exceeded],
    }
