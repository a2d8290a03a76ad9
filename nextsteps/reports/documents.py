"""The report as files people send on: Word (to edit before sending), PDF, and an indicator workbook.

Each takes a built Report and returns bytes. Like the text formats, they take every figure from the
report's Figures (line.actual_text, line.actual_cell, cell.shown, …) so that the external audience's rule
holds in each of them. None of them fetches anything: the chart is drawn here, fonts come from the system.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _

from nextsteps import spreadsheets
from nextsteps.reports.builder import Report, as_number, tracking_head
from nextsteps.reports.charts import describe
from nextsteps.reports.render import chart_png, chart_rows, chart_title, conclusion, to_html

DOCUMENT_FORMATS = ("docx", "pdf", "xlsx")

# Proofing language of the Word document, so that staff editing it get the right spelling checker.
WORD_LANGUAGE = {"nl": "nl-NL", "en": "en-GB", "ro": "ro-RO"}


def render_document(report: Report, fmt: str) -> bytes:
    renderers: dict[str, Callable[[Report], bytes]] = {"docx": to_docx, "pdf": to_pdf, "xlsx": to_xlsx}
    with translation.override(report.language):
        return renderers[fmt](report)


def _date(value: Any) -> str:
    return formats.date_format(value, "j F Y")


# Word --------------------------------------------------------------------------------------------------


def to_docx(report: Report) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm

    with translation.override(report.language):
        doc = Document()
        props = doc.core_properties
        props.title = report.title
        props.language = WORD_LANGUAGE.get(report.language, report.language)
        props.author = report.programme.name
        props.comments = ""
        normal_rpr = doc.styles["Normal"].element.get_or_add_rPr()
        lang = normal_rpr.find(qn("w:lang"))
        if lang is None:
            lang = normal_rpr.makeelement(qn("w:lang"), {})
            normal_rpr.append(lang)
        lang.set(qn("w:val"), WORD_LANGUAGE.get(report.language, report.language))

        def bullets(items: list[str]) -> None:
            for item in items:
                doc.add_paragraph(item, style="List Bullet")

        doc.add_heading(report.title, level=0)
        doc.add_paragraph(report.note).runs[0].italic = True
        for part in report.narrative.split("\n\n"):
            if part.strip():
                doc.add_paragraph(part.strip())
        for pillar in report.pillars:
            doc.add_heading(
                _("Pillar %(number)s: %(title)s") % {"number": pillar.number, "title": pillar.title}, level=1
            )
            bullets(
                [line.sentence for line in pillar.lines]
                + [event.sentence() for event in pillar.events]
                + [f"{_date(m.date)}: {m.text}" for m in pillar.milestones]
            )
        if report.events:
            doc.add_heading(_("Notable events"), level=1)
            bullets([event.sentence() for event in report.events])
        if report.milestones:
            doc.add_heading(_("Milestones"), level=1)
            bullets([f"{_date(m.date)}: {m.text}" for m in report.milestones])
        for office in report.offices:
            doc.add_heading(
                _("%(office)s (%(country)s)") % {"office": office.name, "country": office.country}, level=1
            )
            items = [f"{line.title}: {line.text}" for line in office.lines]
            items += [f"{_date(m.date)}: {m.text}" for m in office.milestones]
            bullets(items or [_("Nothing was recorded for this office in this period.")])
        if report.stories:
            doc.add_heading(_("Stories"), level=1)
            for story in report.stories:
                doc.add_paragraph(story.text, style="Quote")
        doc.add_heading(_("Conclusion"), level=1)
        doc.add_paragraph(conclusion(report))
        bullets([line.title for line in report.exceeded])

        doc.add_heading(_("Indicators against targets"), level=1)
        picture = doc.add_paragraph().add_run().add_picture(io.BytesIO(chart_png(report)), width=Cm(16))
        # Alternative text, so that a screen reader (and Word's accessibility check) can read the chart.
        picture._inline.docPr.set("title", chart_title())
        picture._inline.docPr.set("descr", describe(chart_rows(report)))

        head = tracking_head()
        table = doc.add_table(rows=1, cols=len(head))
        table.style = "Light Grid Accent 1"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, head, strict=True):
            cell.text = text
        for row in (row for line in report.lines for row in line.tracking_rows):
            cells = table.add_row().cells
            for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
                cell.text = text
                if 1 <= index <= 4:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


# PDF ---------------------------------------------------------------------------------------------------


def offline_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every address except data: URLs, so a PDF never reaches out."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith("data:"):
                raise ValueError(f"refused to fetch {url}: reports make no outside requests")
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols={"data"})


def to_pdf(report: Report) -> bytes:
    """The web report's HTML, with its inline SVG chart, printed on A4."""
    from weasyprint import HTML

    html = to_html(report, for_print=True)
    pdf: bytes = HTML(string=html, url_fetcher=offline_fetcher()).write_pdf()
    return pdf


# Excel -------------------------------------------------------------------------------------------------


def to_xlsx(report: Report) -> bytes:
    """An indicator tracking workbook: one sheet of indicators against targets, one of disaggregations."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    from nextsteps.indicators.models import Indicator

    def table(sheet: Worksheet, head: list[str], rows: list[list[Any]], widths: list[int]) -> None:
        sheet.append(spreadsheets.xlsx_row(sheet, head))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            # Titles, localities and notes are typed by people: text cells, never formulas.
            sheet.append(spreadsheets.xlsx_row(sheet, row))
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width

    with translation.override(report.language):
        book = Workbook()
        book.properties.title = report.title
        book.properties.language = report.language
        book.properties.creator = report.programme.name
        book.properties.description = report.note

        indicators = book.active
        assert indicators is not None
        indicators.title = _("Indicators")[:31]
        table(
            indicators,
            [
                _("Indicator code"),
                _("Pillar"),
                _("Indicator"),
                _("Unit"),
                _("Baseline"),
                _("Target"),
                _("Actual"),
                _("Percent of target"),
                _("Status"),
            ],
            [
                [
                    line.indicator.code,
                    line.indicator.pillar.number,
                    line.title,
                    str(Indicator.Unit(line.indicator.unit).label),
                    as_number(line.baseline),
                    as_number(line.target),
                    line.actual_cell,
                    # A fraction formatted as a percentage, so that Excel computes with it.
                    None if line.percent_shown is None else float(line.percent_shown) / 100,
                    line.status_label,
                ]
                for line in report.lines
            ],
            [26, 8, 48, 14, 10, 10, 10, 18, 14],
        )
        for (cell,) in indicators.iter_rows(min_row=2, min_col=8, max_col=8):
            cell.number_format = "0%"

        cells = book.create_sheet(_("Disaggregations")[:31])
        dimension = {"sex_age": _("sex and age group"), "locality": _("locality")}
        table(
            cells,
            [
                _("Indicator code"),
                _("Pillar"),
                _("Indicator"),
                _("Breakdown"),
                _("Cell"),
                _("Sex"),
                _("Age group"),
                _("Locality"),
                _("Value"),
            ],
            [
                [
                    line.indicator.code,
                    line.indicator.pillar.number,
                    line.title,
                    dimension[cell.dimension],
                    cell.label,
                    cell.sex_text,
                    cell.age_text,
                    cell.locality,
                    cell.shown,
                ]
                for line in report.lines
                for cell in line.cells()
            ],
            [26, 8, 48, 20, 22, 14, 14, 16, 10],
        )
        # Whoever opens the workbook sees which audience it is for, next to the figures it concerns.
        about = book.create_sheet(_("About")[:31])
        for text in (report.title, report.period_label, report.note):
            about.append(spreadsheets.xlsx_row(about, [text]))
        about.column_dimensions["A"].width = 100
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
