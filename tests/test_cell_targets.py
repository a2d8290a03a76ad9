"""Targets per sex × age cell: only the engine's cell names, and each shown against its cell in every format."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from nextsteps.indicators.models import Indicator, Target
from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import EXTERNAL, build_report
from nextsteps.reports.documents import render_document
from nextsteps.reports.render import render

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)


def members(demo: Programme) -> Indicator:
    # Demo: 23 women, 20 girls, 50 men and 15 boys reached through the Bucharest family visits.
    return Indicator.objects.get(pillar__programme=demo, code="family-members-supported")


def set_target(indicator: Indicator, cell: str, target: int, **extra: object) -> Target:
    row = Target(indicator=indicator, start=START, end=END, cell=cell, target=Decimal(target), **extra)
    row.full_clean()
    row.save()
    return row


@pytest.mark.parametrize("cell", ["girls", "female", "Woman", "unknown", "sex_age:girl"])
def test_a_target_for_a_cell_the_engine_does_not_have_is_refused(demo: Programme, cell: str) -> None:
    with pytest.raises(ValidationError) as error:
        set_target(members(demo), cell, 10)
    assert error.value.message_dict["cell"] == [
        f"“{cell}” is not a cell of the sex and age breakdown; use one of woman, girl, female_unknown, man, "
        "boy, male_unknown, other_adult, other_child, other_unknown, unknown_adult, unknown_child, "
        "unknown_unknown."
    ]


def test_a_cell_target_for_records_without_sex_or_age_is_refused(demo: Programme) -> None:
    families = Indicator.objects.get(pillar__programme=demo, code="families-visited")
    with pytest.raises(ValidationError) as error:
        set_target(families, "woman", 10)
    assert "carry no sex or age" in error.value.message_dict["cell"][0]


@pytest.mark.parametrize("cell", ["woman", "girl", "other_adult", "unknown_unknown"])
def test_every_cell_the_engine_names_takes_a_target(demo: Programme, cell: str) -> None:
    set_target(members(demo), cell, 10)


def test_the_json_report_gives_each_cell_target_with_its_percent_and_status(demo: Programme) -> None:
    indicator = members(demo)
    set_target(indicator, "girl", 18, baseline=Decimal(4))
    set_target(indicator, "man", 60)
    set_target(indicator, "other_adult", 2)  # nobody in it: measured against 0
    data = json.loads(render(build_report(demo, START, END, "en"), "json"))
    line = next(item for item in data["indicators"] if item["code"] == "family-members-supported")
    assert line["target"] is None  # no target for the total: the cells' targets stand on their own
    assert line["cell_targets"] == {
        "girl": {"baseline": 4, "target": 18, "value": 20, "percent_of_target": 111, "status": "exceeded"},
        "man": {"baseline": None, "target": 60, "value": 50, "percent_of_target": 83, "status": "behind"},
        "other_adult": {
            "baseline": None,
            "target": 2,
            "value": 0,
            "percent_of_target": 0,
            "status": "behind",
        },
    }
    assert line["cells"]["sex_age"]["other_adult"] == 0
    others = [item for item in data["indicators"] if item["code"] != "family-members-supported"]
    assert all(item["cell_targets"] == {} for item in others)


def test_a_target_for_another_period_is_not_this_periods(demo: Programme) -> None:
    Target.objects.create(
        indicator=members(demo), start=START, end=dt.date(2021, 12, 30), cell="girl", target=Decimal(18)
    )
    report = build_report(demo, START, END, "en")
    assert all(line.cell_targets == [] for line in report.lines)


def test_the_tables_of_every_format_have_a_row_per_cell_target(demo: Programme) -> None:
    indicator = members(demo)
    set_target(indicator, "girl", 18)
    set_target(indicator, "boy", 15)
    report = build_report(demo, START, END, "en")
    markdown = render(report, "md")
    assert "| – girls | – | 18 | 20 | 111% | exceeded |" in markdown
    assert "| – boys | – | 15 | 15 | 100% | met |" in markdown
    # The cell rows follow their indicator's row.
    table = markdown.split("Indicators against targets")[1].splitlines()
    position = next(i for i, row in enumerate(table) if row.startswith("| Family members supported |"))
    assert table[position + 1].startswith("| – girls |") and table[position + 2].startswith("| – boys |")

    html = render(report, "html")
    assert '<tr class="cell-target"><td>– girls</td>' in html
    assert '<td class="status-exceeded">exceeded</td>' in html.split("– girls")[1].split("</tr>")[0]

    rows = [
        [cell.text for cell in row.cells]
        for row in Document(io.BytesIO(render_document(report, "docx"))).tables[-1].rows
    ]
    assert ["– girls", "–", "18", "20", "111%", "exceeded"] in rows


def test_a_cell_withheld_from_outsiders_takes_its_percent_and_status_with_it(demo: Programme) -> None:
    # Women in homeless shelters in Oradea: 5 women, below a threshold of 10.
    shelter = Indicator.objects.get(pillar__programme=demo, code="shelter-women-oradea")
    demo.suppression_threshold = 10
    demo.save()
    set_target(shelter, "woman", 4)
    data = json.loads(render(build_report(demo, START, END, "en", audience=EXTERNAL), "json"))
    line = next(item for item in data["indicators"] if item["code"] == "shelter-women-oradea")
    assert line["cell_targets"]["woman"]["target"] == 4  # plans are never withheld
    assert line["cell_targets"]["woman"]["value"] == "fewer than 10"
    assert line["cell_targets"]["woman"]["percent_of_target"] is None
    assert line["cell_targets"]["woman"]["status"] is None
