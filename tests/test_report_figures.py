"""Every format shows figures through the report's Figures, so an audience rule applies everywhere at once.

The rule here stands in for the external-audience mode to come (small person counts shown as a phrase):
if any renderer formatted a number on its own, the withheld figure would leak through it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
from decimal import Decimal

import pytest
from docx import Document
from lxml import etree
from openpyxl import load_workbook

from nextsteps.exports.iati import export_iati
from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import Figures, Report, build_report
from nextsteps.reports.documents import render_document
from nextsteps.reports.render import chart_rows, chart_svg, render
from tests.test_export_iati_command import require_schema

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)
PHRASE = "fewer than 5"


class FewerThanFive(Figures):
    def withheld(self, value: int | Decimal | None, *, persons: bool) -> str | None:
        return PHRASE if persons and value is not None and 0 < value < 5 else None


@pytest.fixture
def report(demo: Programme) -> Report:
    return build_report(demo, START, END, "en", figures=FewerThanFive())


def line(report: Report, code: str):  # type: ignore[no-untyped-def]
    return next(item for item in report.lines if item.indicator.code == code)


def test_sentences_and_tables_show_the_phrase_for_small_person_counts(report: Report) -> None:
    text = render(report, "md")
    assert "Women who left prostitution with our support: fewer than 5." in text
    assert "Survivors supported to continue their education: fewer than 5." in text
    assert "| Women who left prostitution | 0 | 1 | fewer than 5 | – | met |" in text
    # Counts of activities are not people, and large counts stay.
    assert "Capacity-building conferences and trainings held: 1." in text
    assert "13 trafficking survivors" in text
    # The Dutch office helped 4 survivors: its section withholds that too.
    assert "- Survivors helped to return and with legal support: fewer than 5" in text


def test_html_and_its_chart_show_the_phrase(report: Report) -> None:
    html = render(report, "html")
    assert "Women who left prostitution with our support: fewer than 5." in html
    assert '<td class="num">fewer than 5</td>' in html
    assert f"{PHRASE} (target 1)" in chart_svg(report)
    row = next(r for r in chart_rows(report) if r.label == "Women who left prostitution")
    assert row.actual == 0  # the bar's length does not give the figure away


def test_json_gives_the_phrase_instead_of_the_number(report: Report) -> None:
    data = json.loads(render(report, "json"))
    exited = next(item for item in data["indicators"] if item["code"] == "exited-prostitution")
    assert exited["value"] == PHRASE
    assert exited["percent_of_target"] is None
    members = next(item for item in data["indicators"] if item["code"] == "family-members-supported")
    assert members["cells"]["sex_age"]["woman"] == 23


def test_word_and_excel_show_the_phrase(report: Report) -> None:
    doc = Document(io.BytesIO(render_document(report, "docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Women who left prostitution with our support: fewer than 5." in text
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in doc.tables[0].rows}
    assert rows["Women who left prostitution"][3:5] == [PHRASE, "–"]
    book = load_workbook(io.BytesIO(render_document(report, "xlsx")))
    sheet = {row[0]: row for row in book["Indicators"].iter_rows(values_only=True)}
    assert sheet["exited-prostitution"][6:8] == (PHRASE, None)
    assert sheet["survivors-return-legal"][6] == 13
    cells = [
        row for row in book["Disaggregations"].iter_rows(values_only=True) if row[0] == "survivors-education"
    ]
    assert cells and all(row[8] in (PHRASE, 0) for row in cells)


def test_the_pdf_shows_the_phrase(report: Report) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = render_document(report, "pdf")
    text = " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode().split()
    )
    assert "Women who left prostitution with our support: fewer than 5." in text


def test_iati_leaves_out_the_value_and_gives_the_phrase_as_comment(demo: Programme) -> None:
    root = etree.fromstring(export_iati(demo, START, END, figures=FewerThanFive()))
    exited = next(
        i for i in root.iter("indicator") if i.find("reference").get("code") == "exited-prostitution"
    )
    require_schema().assertValid(root)
    total = exited.find("period/actual")
    assert total.get("value") is None
    assert total.findtext("comment/narrative") == PHRASE
    assert line(build_report(demo, START, END, "en"), "exited-prostitution").actual_text == "1"
