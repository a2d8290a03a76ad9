"""Horizontal bar charts of actual against target, as inline SVG (web, PDF) or PNG (Word).

Both outputs come from one layout, so the Word chart and the PDF chart show the same thing. Call inside
translation.override(language): the legend is translated here, labels arrive translated.

Indicators count different things (633 people reached, 1 woman who left prostitution), so by default every
row is drawn on its own scale, its longer bar filling the width; the figures are printed beside the bars.
With shared_scale=True all rows share one axis, which suits rows of one unit (e.g. a dashboard per pillar).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from nextsteps.reports.builder import fmt_number

ACTUAL_COLOUR = "#1f5f8b"
TARGET_COLOUR = "#b9cfe0"
TEXT_COLOUR = "#1b1b1b"
FONT_FAMILY = "DejaVu Sans, Verdana, sans-serif"

WIDTH = 640
MARGIN = 12
TITLE_SIZE = 15
LABEL_SIZE = 12
BAR_HEIGHT = 14
VALUE_SPACE = 140  # room right of the bars for "633 (target 500)"


@dataclass(frozen=True)
class ChartRow:
    """One indicator (or pillar): what was achieved and what was aimed for (None when there is no target).

    actual_text and target_text are the figures as readers may see them; empty means "format the number".
    """

    label: str
    actual: int | float | Decimal
    target: int | float | Decimal | None = None
    actual_text: str = ""
    target_text: str = ""

    def figures(self) -> str:
        actual = self.actual_text or fmt_number(_plain(self.actual))
        if self.target is None:
            return actual
        target = self.target_text or fmt_number(_plain(self.target))
        return _("%(actual)s (target %(target)s)") % {"actual": actual, "target": target}

    def summary(self) -> str:
        """What a screen reader says for the row."""
        if self.target is None:
            return _("%(label)s: actual %(actual)s, no target.") % {
                "label": self.label,
                "actual": self.actual_text or fmt_number(_plain(self.actual)),
            }
        return _("%(label)s: actual %(actual)s, target %(target)s.") % {
            "label": self.label,
            "actual": self.actual_text or fmt_number(_plain(self.actual)),
            "target": self.target_text or fmt_number(_plain(self.target)),
        }


def _plain(value: int | float | Decimal) -> int | Decimal:
    if isinstance(value, float):
        return Decimal(str(value))
    return value


@dataclass(frozen=True)
class _Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    outline: str = ""


@dataclass(frozen=True)
class _Text:
    x: float
    y: float  # baseline
    text: str
    size: int
    bold: bool = False
    anchor: str = "start"  # or "end"


@dataclass(frozen=True)
class _Layout:
    width: int
    height: int
    head: list[_Rect | _Text]  # title and legend
    rows: list[tuple[str, list[_Rect | _Text]]]  # each row's spoken summary and its shapes

    def shapes(self) -> list[_Rect | _Text]:
        return self.head + [shape for _summary, shapes in self.rows for shape in shapes]


def _layout(rows: list[ChartRow], title: str, *, shared_scale: bool) -> _Layout:
    shapes: list[_Rect | _Text] = []
    y = MARGIN + TITLE_SIZE
    shapes.append(_Text(MARGIN, y, title, TITLE_SIZE, bold=True))
    # Legend: a swatch and a word for each series.
    y += 10
    legend_x: float = MARGIN
    for colour, word in ((ACTUAL_COLOUR, _("Actual")), (TARGET_COLOUR, _("Target"))):
        shapes.append(_Rect(legend_x, y, 12, 12, colour))
        shapes.append(_Text(legend_x + 17, y + 10.5, word, LABEL_SIZE))
        legend_x += 17 + 7.5 * len(word) + 20
    y += 12 + 14
    bar_space = WIDTH - 2 * MARGIN - VALUE_SPACE
    common = max([_max(row) for row in rows] + [0])
    rows_out: list[tuple[str, list[_Rect | _Text]]] = []
    for row in rows:
        scale_max = common if shared_scale else _max(row)
        row_shapes: list[_Rect | _Text] = []
        y += LABEL_SIZE
        row_shapes.append(_Text(MARGIN, y, row.label, LABEL_SIZE))
        y += 5
        if row.target is not None:
            row_shapes.append(
                _Rect(MARGIN, y, _length(row.target, scale_max, bar_space), BAR_HEIGHT, TARGET_COLOUR)
            )
        actual_length = _length(row.actual, scale_max, bar_space)
        # A zero still gets a hairline, so that an empty row reads as "nothing" rather than "missing".
        row_shapes.append(_Rect(MARGIN, y + 3, max(actual_length, 1.5), BAR_HEIGHT - 6, ACTUAL_COLOUR))
        row_shapes.append(
            _Text(WIDTH - MARGIN, y + BAR_HEIGHT - 2, row.figures(), LABEL_SIZE, bold=True, anchor="end")
        )
        y += BAR_HEIGHT + 12
        rows_out.append((row.summary(), row_shapes))
    if not rows:
        y += LABEL_SIZE
        empty = _Text(MARGIN, y, _("No indicator has a target for this period."), LABEL_SIZE)
        rows_out.append((empty.text, [empty]))
        y += 12
    return _Layout(WIDTH, int(y + MARGIN), shapes, rows_out)


def _max(row: ChartRow) -> float:
    return float(max(row.actual, row.target if row.target is not None else 0))


def _length(value: int | float | Decimal, scale_max: float, space: float) -> float:
    if scale_max <= 0:
        return 0.0
    return round(space * min(float(value), scale_max) / scale_max, 1)


def describe(rows: list[ChartRow]) -> str:
    return " ".join(row.summary() for row in rows) or _("No indicator has a target for this period.")


# SVG ---------------------------------------------------------------------------------------------------


def svg_bars(
    rows: list[ChartRow],
    *,
    title: str,
    chart_id: str = "chart",
    shared_scale: bool = False,
    xmlns: bool = True,
) -> str:
    """An accessible inline SVG: role="img", a <title> and a <desc> that reads every row's figures.

    chart_id keeps ids unique when a page holds several charts. Pass xmlns=False for an <svg> inside an
    HTML page, where the namespace is implied (and the page then names no outside address at all).
    """
    layout = _layout(rows, title, shared_scale=shared_scale)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if xmlns else ""
    out = [
        f'<svg{namespace} role="img" width="{layout.width}" height="{layout.height}" '
        f'viewBox="0 0 {layout.width} {layout.height}" aria-labelledby="{title_id} {desc_id}" '
        f'font-family={quoteattr(FONT_FAMILY)} class="chart">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(rows))}</desc>',
    ]
    out += [_svg_shape(shape) for shape in layout.head]
    for summary, shapes in layout.rows:
        out.append(f"<g><title>{escape(summary)}</title>")
        out += [_svg_shape(shape) for shape in shapes]
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _svg_shape(shape: _Rect | _Text) -> str:
    if isinstance(shape, _Rect):
        return (
            f'<rect x="{shape.x:g}" y="{shape.y:g}" width="{shape.width:g}" height="{shape.height:g}" '
            f'fill="{shape.fill}"/>'
        )
    weight = ' font-weight="bold"' if shape.bold else ""
    anchor = ' text-anchor="end"' if shape.anchor == "end" else ""
    return (
        f'<text x="{shape.x:g}" y="{shape.y:g}" font-size="{shape.size}" fill="{TEXT_COLOUR}"'
        f"{weight}{anchor}>{escape(shape.text)}</text>"
    )


# PNG ---------------------------------------------------------------------------------------------------

PNG_SCALE = 3  # drawn at three times the SVG size, so that it stays sharp when Word scales it down


def png_bars(rows: list[ChartRow], *, title: str, shared_scale: bool = False) -> bytes:
    """The same chart as svg_bars, as PNG bytes (for Word, which shows no inline SVG)."""
    layout = _layout(rows, title, shared_scale=shared_scale)
    s = PNG_SCALE
    image = Image.new("RGB", (layout.width * s, layout.height * s), "white")
    draw = ImageDraw.Draw(image)
    for shape in layout.shapes():
        if isinstance(shape, _Rect):
            draw.rectangle(
                [shape.x * s, shape.y * s, (shape.x + shape.width) * s - 1, (shape.y + shape.height) * s - 1],
                fill=shape.fill,
            )
        else:
            font = _font(shape.size * s, bold=shape.bold)
            anchor = "rs" if shape.anchor == "end" else "ls"
            draw.text((shape.x * s, shape.y * s), shape.text, fill=TEXT_COLOUR, font=font, anchor=anchor)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _font(size: int, *, bold: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        # Pillow's own font has no accents beyond Latin-1, but a chart without DejaVu must still render.
        return ImageFont.load_default(size)
