"""What the dashboard shows under an indicator's figure: its monthly trend as a small SVG bar chart drawn
on the server, and its breakdowns by organisation and by sex and age as the report gives them.

Viewers see the external audience's figures here too: a month is a cell of a breakdown that adds up to the
period's figure, so the months of a count of people are protected like any other breakdown (a month below
the threshold reads "fewer than 5", and no hidden month can be worked out from the others and the total).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Organisation
from nextsteps.reports.builder import Cell, Figures, line_figures, organisation_cells
from nextsteps.reports.livecache import Snapshot
from nextsteps.reports.suppression import SHOWN

# A trend of more months than this would be bars too thin to read: longer periods show none.
MAX_MONTHS = 36
HEIGHT = 40  # of the chart, in its own units; each month is BAR_STEP wide
BAR_STEP = 10


@dataclass
class Month:
    label: str
    text: str  # the figure, or the phrase that stands for it
    x: int
    # SVG coordinates as text: a template would write 36.5 as "36,5" in Dutch and Romanian.
    y: str = str(HEIGHT)
    height: str = ""  # empty: no bar (nothing that month, or a withheld figure)
    shown: bool = True

    @property
    def line(self) -> str:
        """The month and its figure in words: a bar's title, and a line of the chart's description."""
        return _("%(month)s: %(value)s") % {"month": self.label, "value": self.text}


@dataclass
class Trend:
    months: list[Month]
    caption: str
    width: int

    # The first and last months, short, under the chart's ends: the bars between are the months in order.
    first_label: str = ""
    last_label: str = ""

    @property
    def description(self) -> str:
        """The chart in words, for its title and aria-label."""
        return _("Per month: %(months)s.") % {"months": "; ".join(m.line for m in self.months)}


@dataclass
class Breakdown:
    organisations: list[Cell] = field(default_factory=list)
    sex_age: list[Cell] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.organisations or self.sex_age)


def caption(indicator: Indicator) -> str:
    if indicator.measure == Indicator.Measure.DISTINCT_PERSONS:
        return _("Each bar: people new in that month, counted for the first time in this period.")
    if indicator.measure == Indicator.Measure.DISTINCT_HOUSEHOLDS:
        return _("Each bar: households new in that month, counted for the first time in this period.")
    return _("Each bar: what was recorded in that month.")


def trend(snapshot: Snapshot, figures: Figures, total_mark: str) -> Trend | None:
    """The monthly bars of a period of two months or more (None for hand-entered figures)."""
    monthly = snapshot.monthly
    if monthly is None or not 2 <= len(monthly) <= MAX_MONTHS:
        return None
    indicator, value = snapshot.value.indicator, snapshot.value
    values: dict[str, int | Decimal] = {m.isoformat(): n for m, n in monthly}
    marks = figures.marks(values, total=value.total, total_mark=total_mark, persons=indicator.counts_persons)
    shown = [n for key, n in values.items() if marks[key] == SHOWN]
    top = max(shown, default=0) or 1
    months = []
    for i, (month, n) in enumerate(monthly):
        mark = marks[month.isoformat()]
        entry = Month(month_label(month), figures.text(n, mark), x=i * BAR_STEP + 1, shown=mark == SHOWN)
        if entry.shown and n:
            height = Decimal(n) * (HEIGHT - 2) / Decimal(top)
            entry.height, entry.y = f"{height:.2f}", f"{HEIGHT - height:.2f}"
        months.append(entry)
    return Trend(
        months,
        caption(indicator),
        len(months) * BAR_STEP,
        first_label=formats.date_format(monthly[0][0], "M Y"),
        last_label=formats.date_format(monthly[-1][0], "M Y"),
    )


def month_label(month: dt.date) -> str:
    return formats.date_format(month, "F Y")


def breakdown(
    snapshot: Snapshot, organisations: dict[int, Organisation], figures: Figures
) -> tuple[str, Breakdown]:
    """The total's mark and the breakdowns by organisation and by sex and age, marked as in the report."""
    indicator, value = snapshot.value.indicator, snapshot.value
    total_mark, cells, _placeholders = line_figures(value, figures, persons=indicator.counts_persons)
    return total_mark, Breakdown(
        organisations=organisation_cells(
            value, organisations, figures, total_mark=total_mark, persons=indicator.counts_persons
        ),
        sex_age=[cell for cell in cells if cell.dimension == "sex_age"],
    )
