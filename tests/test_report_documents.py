"""Word, PDF and Excel reports: each opens with its own library and shows the demo's seed figures and chart."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import build_report
from nextsteps.reports.documents import offline_fetcher, render_document
from tests.test_demo_report import EXPECTED

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)
SEED_PHRASES = EXPECTED["en"]


@pytest.fixture(scope="module")
def documents(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, bytes]]:
    """The demo report in every document format, rendered once for the module (the demo is read-only)."""
    with django_db_blocker.unblock():
        report = build_report(Programme.objects.get(slug="next-steps"), START, END, "en")
        yield {fmt: render_document(report, fmt) for fmt in ("docx", "pdf", "xlsx")}


def style(paragraph: Any) -> str:
    return paragraph.style.name if paragraph.style is not None else ""


def flat(text: str) -> str:
    return " ".join(text.split())


def pillar_sections(text: str, end_marker: str) -> dict[int, str]:
    """Text from each "Pillar N:" heading to the next one (the last ends at end_marker)."""
    starts = [text.index(f"Pillar {n}:") for n in (1, 2, 3)] + [text.index(end_marker)]
    return {n: text[starts[n - 1] : starts[n]] for n in (1, 2, 3)}


def assert_seed_figures(sections: dict[int, str]) -> None:
    for number in (1, 2, 3):
        for phrase in SEED_PHRASES[number]:  # type: ignore[attr-defined]
            assert phrase in sections[number], f"{phrase!r} missing from pillar {number}"


# Word --------------------------------------------------------------------------------------------------


def test_the_word_report_has_every_seed_figure_in_its_pillar(documents: dict[str, bytes]) -> None:
    doc = Document(io.BytesIO(documents["docx"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text.startswith("Next Steps Romania: results for August 2021 – December 2021")
    assert doc.core_properties.title == doc.paragraphs[0].text
    assert_seed_figures(pillar_sections(text, "Notable events"))


def test_the_word_report_has_narrative_offices_stories_and_conclusion(documents: dict[str, bytes]) -> None:
    doc = Document(io.BytesIO(documents["docx"]))
    headings = [p.text for p in doc.paragraphs if style(p) == "Heading 1"]
    assert headings[:3] == [
        "Pillar 1: Recovery and access to aftercare",
        "Pillar 2: Transforming the justice system",
        "Pillar 3: Root causes, prevention and reducing vulnerability",
    ]
    for heading in ["Next Steps NL (the Netherlands)", "Stories", "Conclusion", "Indicators against targets"]:
        assert heading in headings
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Next Steps began in August 2021" in text
    assert "After a sewing course she now has paid work in a sewing workshop." in text
    conclusion = text[text.index("\nConclusion\n") : text.index("\nIndicators against targets\n")]
    for title in SEED_PHRASES["exceeded"]:  # type: ignore[union-attr]
        assert title in conclusion
    assert [p.text for p in doc.paragraphs if style(p) == "Quote"] == [
        "After a sewing course she now has paid work in a sewing workshop."
    ]


def test_the_word_report_has_the_indicator_table(documents: dict[str, bytes]) -> None:
    (table,) = Document(io.BytesIO(documents["docx"])).tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Indicator", "Baseline", "Target", "Actual", "Percent of target", "Status"]
    by_title = {row[0]: row[1:] for row in rows[1:]}
    assert by_title["Survivors helped to return and with legal support"] == [
        "0",
        "10",
        "13",
        "130%",
        "exceeded",
    ]
    assert by_title["People reached by prevention"] == ["0", "500", "633", "127%", "exceeded"]
    assert by_title["Gifts in the Christmas campaign"] == ["–", "–", "160", "–", "no target"]


def test_the_word_report_has_the_chart_as_a_picture_with_alternative_text(
    documents: dict[str, bytes],
) -> None:
    doc = Document(io.BytesIO(documents["docx"]))
    (picture,) = doc.inline_shapes
    image = doc.part.related_parts[picture._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert image.content_type == "image/png"
    assert image.blob.startswith(b"\x89PNG")
    assert picture._inline.docPr.get("title") == "Actual against target"
    assert "People reached by prevention: actual 633, target 500." in picture._inline.docPr.get("descr")


def test_the_word_report_is_checked_for_spelling_in_the_reports_language(demo: Programme) -> None:
    doc = Document(io.BytesIO(render_document(build_report(demo, START, END, "nl"), "docx")))
    assert doc.core_properties.language == "nl-NL"
    lang = doc.styles["Normal"].element.rPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}lang"
    )
    assert lang.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") == "nl-NL"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "13 slachtoffers van mensenhandel" in text


# PDF ---------------------------------------------------------------------------------------------------


def pdftotext(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        message = "pdftotext (poppler-utils) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return flat(result.stdout.decode("utf-8"))


def test_the_pdf_has_every_seed_figure_in_its_pillar(documents: dict[str, bytes]) -> None:
    assert documents["pdf"].startswith(b"%PDF-")
    text = pdftotext(documents["pdf"])
    assert text.startswith("Next Steps Romania: results for August 2021 – December 2021")
    assert_seed_figures(pillar_sections(text, "Notable events"))
    assert "After a sewing course she now has paid work in a sewing workshop." in text


def test_the_pdf_has_the_chart_and_the_indicator_table(documents: dict[str, bytes]) -> None:
    text = pdftotext(documents["pdf"])
    last_bar = "People reached by prevention 633 (target 500)"
    chart = text[text.index("Actual against target") : text.index(last_bar) + len(last_bar)]
    assert "Actual Target" in chart  # the legend
    assert "Survivors helped to return and with legal support 13 (target 10)" in chart
    table = text[text.index(last_bar) + len(last_bar) :]
    assert "Indicator Baseline Target Actual Percent of target Status" in table
    # Wrapped titles make the reading order of a title cell unreliable; the figures of a row stay together.
    assert "0 10 13 130% exceeded" in table  # survivors helped
    assert "0 500 633 127% exceeded" in table  # people reached by prevention
    assert "– – 160 – no target" in table  # gifts


def test_the_pdf_fetcher_refuses_every_address_but_data_urls() -> None:
    fetcher = offline_fetcher()
    for url in ["http://example.org/logo.png", "https://fonts.example/font.woff2", "file:///etc/passwd"]:
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_the_pdf_opens_no_connection_even_when_the_page_names_outside_addresses(
    demo: Programme, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    from nextsteps.reports import documents

    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    hostile = (
        '<html><head><link rel="stylesheet" href="https://cdn.example/x.css">'
        f'<link rel="stylesheet" href="file://{secret}"></head>'
        '<body><img src="http://192.0.2.1/logo.png"><p>figures</p></body></html>'
    )
    monkeypatch.setattr(documents, "to_html", lambda report, for_print: hostile)
    attempts: list[Any] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: attempts.append(address))
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kw: attempts.append(args))
    opened: list[str] = []
    real_open = open

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy_open)
    pdf = documents.to_pdf(build_report(demo, START, END, "en"))
    assert pdf.startswith(b"%PDF-")
    assert attempts == []
    assert str(secret) not in opened


def test_the_pdf_page_has_no_outside_reference(demo: Programme) -> None:
    from nextsteps.reports.render import to_html

    html = to_html(build_report(demo, START, END, "en"), for_print=True)
    assert "@page" in html
    assert "<svg" in html and 'role="img"' in html
    assert not re.search(r"(src|href)=|url\(|@import|http", html)


# Excel -------------------------------------------------------------------------------------------------


def rows(sheet: Any) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def test_the_workbook_tracks_every_indicator_with_numbers_as_numbers(documents: dict[str, bytes]) -> None:
    book = load_workbook(io.BytesIO(documents["xlsx"]))
    assert book.sheetnames == ["Indicators", "Disaggregations", "About"]
    head, *body = rows(book["Indicators"])
    assert head == (
        "Indicator code",
        "Pillar",
        "Indicator",
        "Unit",
        "Baseline",
        "Target",
        "Actual",
        "Percent of target",
        "Status",
    )
    by_code = {row[0]: row for row in body}
    assert by_code["survivors-return-legal"] == (
        "survivors-return-legal",
        1,
        "Survivors helped to return and with legal support",
        "persons",
        0,
        10,
        13,
        1.3,
        "exceeded",
    )
    actual = {code: row[6] for code, row in by_code.items()}
    assert actual == {
        "survivors-return-legal": 13,
        "volunteers-signed-up": 29,
        "families-visited": 67,
        "family-members-supported": 108,
        "shelter-women-oradea": 5,
        "exited-prostitution": 1,
        "survivors-education": 2,
        "christmas-gifts": 160,
        "law-enforcement-contacts": 6,
        "partner-collaborations": 4,
        "capacity-events": 1,
        "prevention-activities": 10,
        "prevention-reach": 633,
    }
    assert all(isinstance(n, int) for n in actual.values())
    assert by_code["christmas-gifts"][4:8] == (None, None, 160, None)
    assert book["Indicators"]["H2"].number_format == "0%"


def test_the_workbook_has_one_row_per_indicator_and_disaggregation_cell(documents: dict[str, bytes]) -> None:
    head, *body = rows(load_workbook(io.BytesIO(documents["xlsx"]))["Disaggregations"])
    assert head == (
        "Indicator code",
        "Pillar",
        "Indicator",
        "Breakdown",
        "Cell",
        "Sex",
        "Age group",
        "Locality",
        "Value",
    )
    members = {row[4]: row for row in body if row[0] == "family-members-supported"}
    assert {cell: members[cell][8] for cell in ("women", "girls", "men", "boys")} == {
        "women": 23,
        "girls": 20,
        "men": 50,
        "boys": 15,
    }
    assert members["girls"][3:8] == ("sex and age group", "girls", "female", "child", None)
    assert members["Bucharest"][3:9] == ("locality", "Bucharest", None, None, "Bucharest", 108)
    shelter = {row[4]: row[8] for row in body if row[0] == "shelter-women-oradea"}
    assert shelter["Oradea"] == 5 and shelter["women"] == 5
    # The cells of an additive indicator add up to its total, per breakdown.
    reach = [row for row in body if row[0] == "prevention-reach"]
    assert sum(row[8] for row in reach if row[3] == "sex and age group") == 633
    assert sum(row[8] for row in reach if row[3] == "locality") == 633
    assert all(isinstance(row[8], int) for row in body)


# Command line ------------------------------------------------------------------------------------------


def test_the_command_writes_each_document_format(demo: Programme, tmp_path: Path) -> None:
    from django.core.management import call_command

    for fmt, magic in [("docx", b"PK"), ("xlsx", b"PK"), ("pdf", b"%PDF")]:
        target = tmp_path / f"report.{fmt}"
        err = io.StringIO()
        call_command(
            "report",
            "--programme",
            "next-steps",
            "--from",
            "2021-08-01",
            "--to",
            "2021-12-31",
            "--format",
            fmt,
            "-o",
            str(target),
            stdout=io.StringIO(),
            stderr=err,
        )
        assert target.read_bytes().startswith(magic)
        assert f"Report written to {target}." in err.getvalue()
        assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind
