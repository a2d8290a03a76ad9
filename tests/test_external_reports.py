"""External reports and exports of the demo: no count of people below the threshold is shown anywhere, and
no hidden cell holding people can be worked out from what is shown.

The internal report says which figures are small. Each output is read back into what a reader sees of
each indicator (its total and its breakdowns: sex × age, localities, organisations, country offices; a number or a
phrase for each), and two checks run on that: every number shown for people is at least the threshold
(zeros read as the phrase too), and, by brute force over the few values a hidden figure can take, every
hidden figure that holds people can take more than one value.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

import lxml.html
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from docx import Document
from lxml import etree
from openpyxl import load_workbook

from nextsteps.indicators import engine
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.reports.builder import EXTERNAL, INTERNAL, Report, build_report, cell_label
from nextsteps.reports.documents import render_document
from nextsteps.reports.render import chart_rows, render
from tests.test_export_iati_command import require_schema

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)
ARGS = ["--programme", "next-steps", "--from", "2021-08-01", "--to", "2021-12-31"]
NAMED = {("female", "adult"): "woman", ("female", "child"): "girl", ("male", "adult"): "man"}
NAMED[("male", "child")] = "boy"


@pytest.fixture(params=[5, 10], ids=["threshold-5", "threshold-10"])
def threshold(request: pytest.FixtureRequest, demo: Programme) -> int:
    demo.suppression_threshold = request.param
    demo.save(update_fields=["suppression_threshold"])
    return int(request.param)


# What is true, and what a reader sees -------------------------------------------------------------------


@dataclass
class Seen:
    """One indicator: its total and breakdowns; numbers, or (what a reader sees) phrases instead of some."""

    persons: bool
    total: Any
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)


def truth(programme: Programme) -> dict[str, Seen]:
    """The exact figures, from the internal report, in the breakdowns an external report gives: sex × age
    (the four named cells and everyone else as "unknown"), localities, organisations and country offices
    (by organisation slug). The key "" holds what no output shows (records without a locality,
    organisations without an office)."""
    report = build_report(programme, START, END, "en", audience=INTERNAL)
    codes = {line.title: line.indicator.code for line in report.lines}
    slugs = dict(Organisation.objects.values_list("pk", "slug"))
    out: dict[str, Seen] = {}
    for line in report.lines:
        value = line.value
        groups: dict[str, dict[str, Any]] = {
            "locality": dict(value.by_locality),
            "organisation": {slugs[org]: n for org, n in value.by_organisation.items()},
            "offices": {},
        }
        if value.sex_age:
            groups["sex_age"] = {c: value.sex_age[c] for c in engine.STANDARD_CELLS} | {
                "unknown": value.unknown
            }
        out[line.indicator.code] = Seen(line.persons, value.total, groups)
    for office in report.offices:
        for office_line in office.lines:
            out[codes[office_line.title]].groups["offices"][office.slug] = office_line.value
    for figures in out.values():
        figures.groups["offices"][""] = figures.total - sum(figures.groups["offices"].values())
    return out


def from_json(data: dict[str, Any]) -> dict[str, Seen]:
    seen = {
        item["code"]: Seen(
            item["unit"] in {"persons", "households"} or item["measure"].startswith("distinct"),
            item["value"],
            {dimension: dict(cells) for dimension, cells in item["cells"].items()} | {"offices": {}},
        )
        for item in data["indicators"]
    }
    for office in data["offices"]:
        for line in office["indicators"]:
            seen[line["code"]].groups["offices"][office["organisation"]] = line["value"]
    return seen


def from_xlsx(content: bytes, persons: dict[str, bool]) -> dict[str, Seen]:
    book = load_workbook(io.BytesIO(content))
    seen = {
        row[0]: Seen(persons[row[0]], row[6])
        for row in book["Indicators"].iter_rows(min_row=2, values_only=True)
    }
    labels = {cell_label(key): key for key in [*engine.STANDARD_CELLS, "unknown"]}
    for row in book["Disaggregations"].iter_rows(min_row=2, values_only=True):
        code, dimension, label, locality, value = row[0], row[3], row[4], row[7], row[8]
        group = "locality" if locality else "sex_age"
        assert dimension in {"locality", "sex and age group"}
        seen[code].groups.setdefault(group, {})[locality or labels[label]] = value
    return seen


def from_iati(root: etree._Element, persons: dict[str, bool]) -> dict[str, Seen]:
    """Values of `actual`s; a withheld one has no value but its phrase (in English) as the comment."""

    def shown(actual: etree._Element) -> Any:
        if actual.get("value") is not None:
            return int(actual.get("value"))
        return actual.findtext("comment/narrative")

    seen: dict[str, Seen] = {}
    for indicator in root.iter("indicator"):
        code = indicator.find("reference").get("code")
        base, _sep, cell = code.partition(":")
        for actual in indicator.iter("actual"):
            dimensions = {d.get("name"): d.get("value") for d in actual.iter("dimension")}
            figures = seen.setdefault(base, Seen(persons[base], None))
            if cell:  # --split-dimensions: one indicator per cell
                group, key = cell.split(":", 1)
                figures.groups.setdefault(group, {})[key] = shown(actual)
            elif not dimensions:
                figures.total = shown(actual)
            elif "locality" in dimensions:
                figures.groups.setdefault("locality", {})[dimensions["locality"]] = shown(actual)
            else:
                key = "unknown" if "sex or age" in dimensions else NAMED[dimensions["sex"], dimensions["age"]]
                figures.groups.setdefault("sex_age", {})[key] = shown(actual)
    return seen


# The two checks ----------------------------------------------------------------------------------------


def assert_no_small_count_of_people(true: dict[str, Seen], seen: dict[str, Seen], threshold: int) -> None:
    for code, figures in true.items():
        visible = seen[code]
        pairs = [("total", figures.total, visible.total)]
        for group, cells in figures.groups.items():
            for key, value in cells.items():
                if key in visible.groups.get(group, {}):
                    pairs.append((f"{group} {key}", value, visible.groups[group][key]))
        for where, value, shown in pairs:
            people = figures.persons or where.startswith("sex_age")
            if isinstance(shown, int | float):
                assert shown == value, f"{code} {where}: shown figures are exact"
                assert not people or shown >= threshold, f"{code} {where}: {shown} people are shown"
            elif people and value < threshold:
                assert isinstance(shown, str), f"{code} {where}: {shown!r}"


def possible_values(shown: Any, bound: int, threshold: int) -> range:
    """The values a reader allows for one figure: exact when shown, else what its phrase says."""
    if isinstance(shown, int):
        return range(shown, shown + 1)
    if shown.startswith(f"fewer than {threshold}"):
        return range(threshold)
    if shown.startswith(f"{threshold} or more"):
        return range(threshold, bound + 1)
    assert shown == "not shown", shown
    return range(bound + 1)


def assert_nothing_can_be_worked_out(true: dict[str, Seen], seen: dict[str, Seen], threshold: int) -> int:
    """Brute force per indicator: every combination of the hidden figures' values that agrees with what is
    shown (each breakdown adds up to the total); a hidden figure holding people must take several values.
    Returns the number of hidden figures checked."""
    checked = 0
    for code, figures in true.items():
        visible = seen[code]
        if not figures.persons and "sex_age" not in visible.groups:
            continue
        totals = possible_values(visible.total, threshold - 1, threshold)
        bound = max(totals)
        groups = []
        for name, cells in visible.groups.items():
            if not cells:
                continue
            truth_cells = dict(figures.groups[name])
            domains = {key: possible_values(shown, bound, threshold) for key, shown in cells.items()}
            unseen = truth_cells.get("", 0) if name != "sex_age" else 0
            # What no output shows is unknown to readers, unless it is nothing (which they may guess).
            domains[""] = range(bound + 1) if unseen else range(1)
            groups.append((name, domains, truth_cells | {"": unseen}))
        total_options = {t for t in totals if all(solutions(domains, t) for _n, domains, _t in groups)}
        assert figures.total in total_options
        if not isinstance(visible.total, int):
            checked += 1
            if 0 < figures.total < threshold:
                assert len(total_options) > 1, f"{code}: the total can be worked out"
        for name, domains, truth_cells in groups:
            found: dict[str, set[int]] = {key: set() for key in domains}
            for t in total_options:
                for combination in solutions(domains, t):
                    for key, value in combination.items():
                        found[key].add(value)
            for key, values in found.items():
                if len(domains[key]) == 1:
                    continue
                checked += 1
                assert truth_cells[key] in values, f"{code} {name} {key}: the reader's model misses the truth"
                if 0 < truth_cells[key] < threshold:
                    assert len(values) > 1, f"{code} {name} {key!r} can be worked out: {truth_cells[key]}"
    return checked


def solutions(domains: dict[str, range], total: int) -> list[dict[str, int]]:
    keys = list(domains)
    return [
        dict(zip(keys, combination, strict=True))
        for combination in itertools.product(*(domains[k] for k in keys))
        if sum(combination) == total
    ]


def check(true: dict[str, Seen], seen: dict[str, Seen], threshold: int) -> None:
    assert_no_small_count_of_people(true, seen, threshold)
    assert assert_nothing_can_be_worked_out(true, seen, threshold) > 0


def persons_of(true: dict[str, Seen]) -> dict[str, bool]:
    return {code: figures.persons for code, figures in true.items()}


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


# Machine-readable outputs ------------------------------------------------------------------------------


def test_the_json_report_withholds_small_counts_and_protects_their_cells(
    demo: Programme, threshold: int
) -> None:
    data = json.loads(run("report", *ARGS, "--format", "json", "--audience", "external"))
    assert data["audience"] == EXTERNAL
    assert data["audience_note"] == (
        f"For donors and the public: numbers of people below {threshold} are not shown exactly."
    )
    check(truth(demo), from_json(data), threshold)
    for item in data["indicators"]:
        if isinstance(item["value"], str):
            assert item["percent_of_target"] is None and item["status"] is None, item["code"]
            assert item["code"] not in data["exceeded"]
    # Attendance of events counts people too.
    assert all(isinstance(e["attendance"], str) or e["attendance"] >= threshold for e in data["events"])


def test_the_checks_catch_the_internal_report(demo: Programme) -> None:
    """The internal report shows 1 and 2 women: the checks must fail on it, or they would prove nothing."""
    data = json.loads(run("report", *ARGS, "--format", "json"))
    assert data["audience"] == INTERNAL
    exited = next(item for item in data["indicators"] if item["code"] == "exited-prostitution")
    assert exited["value"] == 1
    with pytest.raises(AssertionError, match="people are shown"):
        assert_no_small_count_of_people(truth(demo), from_json(data), 5)
    offices = from_json(data)
    offices["survivors-return-legal"].groups["offices"]["next-steps-nl"] = "fewer than 5"
    with pytest.raises(AssertionError, match="can be worked out"):
        assert_nothing_can_be_worked_out(truth(demo), offices, 5)


def test_the_workbook_withholds_small_counts_and_protects_their_cells(
    demo: Programme, threshold: int
) -> None:
    true = truth(demo)
    content = render_document(build_report(demo, START, END, "en", audience=EXTERNAL), "xlsx")
    check(true, from_xlsx(content, persons_of(true)), threshold)
    book = load_workbook(io.BytesIO(content))
    for row in book["Indicators"].iter_rows(min_row=2, values_only=True):
        if isinstance(row[6], str):
            assert row[7] is None and row[8] == "–", row[0]
    assert [row[0] for row in book["About"].iter_rows(values_only=True)][-1].startswith("For donors")


@pytest.mark.parametrize("split", [False, True], ids=["dimensions", "split-dimensions"])
def test_the_iati_export_is_external_by_default_and_valid(
    demo: Programme, threshold: int, split: bool
) -> None:
    root = etree.fromstring(run("export", "iati", *ARGS, *(["--split-dimensions"] if split else [])).encode())
    require_schema().assertValid(root)
    true = truth(demo)
    check(true, from_iati(root, persons_of(true)), threshold)
    withheld = [a for a in root.iter("actual") if a.get("value") is None]
    assert withheld and all(a.find("comment/narrative") is not None for a in withheld)
    comment = withheld[0].find("comment")
    assert {n.get("{http://www.w3.org/XML/1998/namespace}lang") for n in comment} == {None, "nl", "ro"}
    notes = [d for d in root.iter("description") if d.get("type") == "4"]
    assert notes[0].findtext("narrative").startswith("For donors and the public")


def test_the_iati_export_for_an_internal_audience_has_every_value(demo: Programme) -> None:
    root = etree.fromstring(run("export", "iati", *ARGS, "--audience", "internal").encode())
    require_schema().assertValid(root)
    assert all(a.get("value") is not None for a in root.iter("actual"))


def test_a_period_without_records_withholds_the_zeros_of_people_and_stays_valid(demo: Programme) -> None:
    root = etree.fromstring(
        run(
            "export", "iati", "--programme", "next-steps", "--from", "2030-01-01", "--to", "2030-03-31"
        ).encode()
    )
    require_schema().assertValid(root)
    capacity = next(i for i in root.iter("indicator") if i.find("reference").get("code") == "capacity-events")
    assert capacity.find("period/actual").get("value") == "0"  # activities are not people
    exited = next(
        i for i in root.iter("indicator") if i.find("reference").get("code") == "exited-prostitution"
    )
    assert exited.find("period/actual").get("value") is None


# Documents for people ----------------------------------------------------------------------------------


def numbers_in(text: str) -> list[int]:
    return [int(n.replace(",", "").replace(".", "")) for n in re.findall(r"\d[\d,.]*\d|\d", text)]


def assert_sentences_and_tables(
    report: Report, text: str, table: dict[str, list[str]], offices: list[str]
) -> None:
    """Every sentence about people gives no number below the threshold, the table's actual, percent and
    status of a withheld figure are phrases and dashes, and the offices' lines about people likewise."""
    t = report.figures.threshold
    internal = build_report(report.programme, START, END, report.language, audience=INTERNAL)
    for line, exact in zip(report.lines, internal.lines, strict=True):
        if not line.persons:
            continue
        assert line.sentence in text
        assert all(n >= t for n in numbers_in(line.sentence)), line.sentence
        if any(0 < n < t for n in numbers_in(exact.sentence)):
            assert exact.sentence not in text
        actual, percent, status = table[line.title][3:6]
        if line.withheld:
            assert actual == line.actual_text and str(t) in actual
            assert (percent, status) == ("–", "–"), line.title
        else:
            assert int(actual.replace(",", "")) >= t
    persons = {line.title for line in report.lines if line.persons}
    for item in offices:
        title, _sep, value = item.rpartition(": ")
        if title in persons:
            assert all(n >= t for n in numbers_in(value)), item


def md_table(text: str) -> dict[str, list[str]]:
    rows = [
        [c.strip() for c in row.strip("|").split("|")] for row in text.splitlines() if row.startswith("| ")
    ]
    return {row[0]: row for row in rows}


def office_items(text: str, heading: str) -> list[str]:
    """The bullet lines of the country offices' sections (headings like "Next Steps NL (the Netherlands)")."""
    items, inside = [], False
    for row in text.splitlines():
        if row.startswith(heading):
            inside = "Next Steps " in row
        elif inside and row.startswith("- "):
            items.append(row[2:])
    return items


def test_markdown_and_html_withhold_small_counts(demo: Programme, threshold: int) -> None:
    report = build_report(demo, START, END, "en", audience=EXTERNAL)
    md = render(report, "md")
    assert f"*For donors and the public: numbers of people below {threshold} are not shown exactly.*" in md
    assert_sentences_and_tables(report, md, md_table(md), office_items(md, "## "))
    page = lxml.html.fromstring(render(report, "html"))
    html_table = {
        row[0]: row
        for tr in page.iter("tr")
        if (row := [td.text_content().strip() for td in tr.findall("td")])
    }
    items = [li.text_content() for li in page.iter("li")]
    assert_sentences_and_tables(report, "\n".join(items), html_table, items)
    assert page.find_class("audience-external")


def test_the_chart_shows_no_small_count(demo: Programme, threshold: int) -> None:
    report = build_report(demo, START, END, "en", audience=EXTERNAL)
    lines = {line.title: line for line in report.lines}
    rows = chart_rows(report)
    assert any(lines[row.label].withheld for row in rows)
    for row in rows:
        if lines[row.label].persons:
            assert all(n >= threshold for n in numbers_in(row.actual_text)), row
        if lines[row.label].withheld:
            assert row.actual == 0  # nor through the length of its bar


def test_the_word_report_withholds_small_counts(demo: Programme, threshold: int) -> None:
    report = build_report(demo, START, END, "en", audience=EXTERNAL)
    doc = Document(io.BytesIO(render_document(report, "docx")))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[1].startswith("For donors and the public")
    table = {row.cells[0].text: [c.text for c in row.cells] for row in doc.tables[0].rows}
    assert_sentences_and_tables(report, "\n".join(paragraphs), table, paragraphs)


def test_the_pdf_withholds_small_counts(demo: Programme) -> None:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = render_document(build_report(demo, START, END, "en", audience=EXTERNAL), "pdf")
    layout = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True
    ).stdout.decode()
    text = " ".join(layout.split())
    assert "For donors and the public: numbers of people below 5 are not shown exactly." in text
    assert "Women who left prostitution with our support: fewer than 5." in text
    assert "Survivors supported to continue their education: fewer than 5." in text
    assert "support: 1." not in text and "education: 2." not in text
    assert "fewer than 5 (target 1)" in text and "fewer than 5 (target 2)" in text  # the chart
    # The table: baseline, target, the phrase, and dashes for percent and status.
    assert re.search(r"Women who left\s+0\s+1\s+fewer than 5\s+–\s+–\s", layout)
    assert re.search(r"Survivors supported in\s+0\s+2\s+fewer than 5\s+–\s+–\s", layout)


# The web: what a viewer (donor, board) gets -------------------------------------------------------------


SEED_PERIOD = {"period": "20210801-20211231"}
QUERY = {"programme": "next-steps", "date_from": "2021-08-01", "date_to": "2021-12-31", "lang": "en"}


def test_a_viewers_dashboard_withholds_small_counts(login: Callable[[str], Client], demo: Programme) -> None:
    response = login("viewer").get(reverse("home"), SEED_PERIOD)
    rows = {row.indicator.code: row for p in response.context["pillars"] for row in p["rows"]}
    true = truth(demo)
    for code, row in rows.items():
        if not true[code].persons:
            continue
        if 0 <= true[code].total < 5:
            assert not numbers_in(row.actual.replace("5", "")), (code, row.actual)
            assert (row.percent, row.status, row.status_label) == (None, "", ""), code
        else:
            assert row.actual == str(true[code].total)
    assert rows["exited-prostitution"].has_target  # the target is a plan: still shown
    assert response.context["note"]
    html = response.content.decode()
    item = lxml.html.fromstring(html).find_class("indicator")
    exited = next(li for li in item if li.get("data-code") == "exited-prostitution")
    assert "status-" not in exited.get("class")
    assert not numbers_in(exited.find_class("actual")[0].text_content().replace("5", ""))


def test_a_coordinators_dashboard_shows_exact_figures(login: Callable[[str], Client]) -> None:
    response = login("coordinator").get(reverse("home"), SEED_PERIOD)
    rows = {row.indicator.code: row for p in response.context["pillars"] for row in p["rows"]}
    assert rows["exited-prostitution"].actual == "1"
    assert response.context["note"] == ""


def test_a_viewers_reports_page_and_download_are_external(
    login: Callable[[str], Client], demo: Programme
) -> None:
    viewer = login("viewer")
    page = viewer.get(reverse("reports"), {**QUERY, "format": "html", "audience": "external"})
    report = page.context["report"]
    assert report.audience == EXTERNAL
    body = lxml.html.fromstring(page.content.decode()).find_class("report")[0]
    table = {
        row[0]: row
        for tr in body.iter("tr")
        if (row := [td.text_content().strip() for td in tr.findall("td")])
    }
    items = [li.text_content() for li in body.iter("li")]
    assert_sentences_and_tables(report, "\n".join(items), table, items)
    download = viewer.get(reverse("report-download"), {**QUERY, "format": "json", "audience": "external"})
    assert download.status_code == 200
    check(truth(demo), from_json(json.loads(download.content)), 5)
    refused = viewer.get(reverse("report-download"), {**QUERY, "format": "json", "audience": "internal"})
    assert refused.status_code == 400
    assert b"survivors-return-legal" not in refused.content


def test_the_form_offers_external_first_and_staff_may_ask_for_exact_figures(
    login: Callable[[str], Client],
) -> None:
    coordinator = login("coordinator")
    assert coordinator.get(reverse("reports")).context["form"]["audience"].value() == EXTERNAL
    response = coordinator.get(
        reverse("report-download"), {**QUERY, "format": "json", "audience": "internal"}
    )
    exited = next(i for i in json.loads(response.content)["indicators"] if i["code"] == "exited-prostitution")
    assert exited["value"] == 1
    assert response["Content-Disposition"].endswith('-en-internal.json"')
