"""Bar charts of actual against target: accessible SVG for pages and PDF, the same chart as PNG for Word."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import translation
from lxml import etree
from PIL import Image

from nextsteps.reports.charts import ChartRow, describe, png_bars, svg_bars

SVG = "{http://www.w3.org/2000/svg}"
ROWS = [
    ChartRow("Survivors helped", 13, Decimal(10)),
    ChartRow("People reached by prevention", 633, 500),
    ChartRow("Women <in> shelters & homes", 0, 5),
]


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


def bars(group: etree._Element) -> list[float]:
    return [float(rect.get("width")) for rect in group.iter(f"{SVG}rect")]


def test_the_svg_is_an_accessible_image_with_a_title_and_every_figure_in_its_description() -> None:
    root = parse(svg_bars(ROWS, title="Actual against target", chart_id="c1"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Actual against target"
    assert root.find(f"{SVG}title").get("id") == "c1-title"
    desc = root.find(f"{SVG}desc").text
    assert "Survivors helped: actual 13, target 10." in desc
    assert "People reached by prevention: actual 633, target 500." in desc


def test_each_row_is_a_group_that_names_its_figures() -> None:
    root = parse(svg_bars(ROWS, title="t"))
    groups = root.findall(f"{SVG}g")
    assert [g.find(f"{SVG}title").text for g in groups] == [
        "Survivors helped: actual 13, target 10.",
        "People reached by prevention: actual 633, target 500.",
        "Women <in> shelters & homes: actual 0, target 5.",
    ]
    texts = ["".join(t.itertext()) for t in groups[1].iter(f"{SVG}text")]
    assert texts == ["People reached by prevention", "633 (target 500)"]


def test_an_exceeded_target_draws_the_actual_bar_longer_than_the_target_bar() -> None:
    groups = parse(svg_bars(ROWS, title="t")).findall(f"{SVG}g")
    target, actual = bars(groups[0])
    assert actual > target
    target, actual = bars(groups[2])
    assert actual < 2 < target  # nothing achieved: a hairline, not a missing bar


def test_rows_are_scaled_on_their_own_unless_the_scale_is_shared() -> None:
    own = [max(bars(g)) for g in parse(svg_bars(ROWS, title="t")).findall(f"{SVG}g")]
    assert own[0] == own[1]  # 13 of 10 fills the width as 633 of 500 does
    shared = [max(bars(g)) for g in parse(svg_bars(ROWS, title="t", shared_scale=True)).findall(f"{SVG}g")]
    assert shared[0] < shared[1] / 40


def test_labels_are_escaped_and_the_page_variant_names_no_address() -> None:
    svg = svg_bars(ROWS, title="A & B", xmlns=False)
    assert "Women &lt;in&gt; shelters &amp; homes" in svg
    assert "A &amp; B" in svg
    assert "http" not in svg


def test_the_legend_and_figures_speak_the_active_language() -> None:
    with translation.override("en"):
        svg = svg_bars(ROWS[:1], title="t")
    assert ">Actual<" in svg and ">Target<" in svg
    assert describe([ChartRow("x", 3)]).endswith("no target.")


def test_the_figures_shown_can_be_replaced_by_the_caller() -> None:
    svg = svg_bars([ChartRow("Women", 3, 5, actual_text="fewer than 5")], title="t")
    assert "fewer than 5 (target 5)" in svg
    assert ">3" not in svg


def test_a_chart_without_rows_says_so() -> None:
    with translation.override("en"):
        svg = svg_bars([], title="t")
    assert "No indicator has a target for this period." in svg
    parse(svg)


def test_the_png_is_the_same_chart_drawn_sharp_enough_for_print() -> None:
    png = png_bars(ROWS, title="Actual against target")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    svg = parse(svg_bars(ROWS, title="Actual against target"))
    assert image.size == (int(svg.get("width")) * 3, int(svg.get("height")) * 3)
    # Something is drawn in the bars' colour.
    colours = {colour for _count, colour in image.convert("RGB").getcolors(maxcolors=1_000_000) or []}
    assert (0x1F, 0x5F, 0x8B) in colours
