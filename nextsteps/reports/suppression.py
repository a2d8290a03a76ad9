"""Small-number suppression: which figures a report for outside readers (donors, the public) may show.

A report has an audience. The internal one shows every figure. The external one must not let anyone learn
that 1, 2, 3 or 4 people (below the programme's threshold t, default 5) are in some cell: with the
programme's name, the period and a place or a sex × age group, a small number can point at a person.

The rule, for counts of persons or households (counts of activities or items are shown as they are):

1. Primary suppression. Every count below t, zero included, reads "fewer than t". A zero discloses no one,
   but it is withheld too (every count below the threshold is), so that "fewer than 5" means 0 to 4
   everywhere: if zeros were shown, the phrase would mean 1 to 4, and four "fewer than 5" cells under a
   total of "fewer than 5" would all have to be 1.
2. Complementary suppression. The cells of a breakdown (sex × age, localities, country offices) add up to
   a total that readers see, so one hidden cell is the total less the shown ones. While some hidden cell
   holding people (1 to t−1) can still be worked out, the smallest shown cell is hidden too and reads
   "t or more" (its value is at least t: smaller ones are hidden already).
3. When every cell is hidden and one can still be worked out (say two localities, "fewer than 5" each,
   under a total of 8: both are 4), the whole breakdown reads "not shown", which tells nothing.

"Worked out" means: from what a reader sees (shown figures, each hidden cell's range: 0..t−1 for
"fewer than t", t and up for "t or more", any value for "not shown", and the total, or 0..t−1 when the
total itself is hidden), the cell can take only one value. A part of the total that no output shows (records
without a locality, organisations without a country office) is unknown to readers when it is not zero.
Hidden cells that hold no one may stay computable: learning that a cell is 0 discloses nobody.

Not covered: differences between reports of overlapping periods, and links between breakdowns that the
data does not record (which localities lie in which country office's country).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

# How readers see a figure.
SHOWN = "shown"  # the exact figure
SMALL = "small"  # "fewer than t": 0 .. t-1
LARGE = "large"  # "t or more", hidden to protect a small cell beside it
HIDDEN = "hidden"  # "not shown": any value

# The key of the part of a total that no output shows.
UNSEEN = ""

Range = tuple[float, float]


def visible_range(mark: str, value: int, threshold: int) -> Range:
    """The values a reader allows for one figure, knowing only its mark (and the figure, when shown)."""
    if mark == SHOWN:
        return (value, value)
    if mark == SMALL:
        return (0, threshold - 1)
    if mark == LARGE:
        return (threshold, math.inf)
    return (0, math.inf)


def feasible(
    values: Mapping[str, int], marks: Mapping[str, str], *, total: Range, threshold: int
) -> dict[str, Range]:
    """For each cell, the values a reader cannot rule out, given the marks and that the cells add up to a
    total within `total` (one value when the total is shown).

    All ranges are intervals of whole numbers and sums of such intervals are intervals again, so a cell can
    be w exactly when w lies in its own range and the total less w lies in the range of the others' sum.
    """
    ranges = {key: visible_range(marks[key], values[key], threshold) for key in values}
    out: dict[str, Range] = {}
    for key, (low, high) in ranges.items():
        others_low = sum(r[0] for k, r in ranges.items() if k != key)
        others_high = sum(r[1] for k, r in ranges.items() if k != key)
        out[key] = (max(low, total[0] - others_high), min(high, total[1] - others_low))
    return out


def protect(
    values: Mapping[str, int], *, threshold: int, total: int, total_shown: bool = True
) -> dict[str, str]:
    """The mark of every cell of one breakdown whose cells add up to `total` (see the module's rule).

    `values` may hold the part that no output shows under the key UNSEEN (""); it is never shown and never
    chosen to protect another cell. `total_shown` is False when the total itself reads "fewer than t".
    """
    marks = {key: SMALL if value < threshold else SHOWN for key, value in values.items() if key != UNSEEN}
    if values.get(UNSEEN):
        marks[UNSEEN] = HIDDEN
    elif UNSEEN in values:
        marks[UNSEEN] = SHOWN  # nothing unseen: readers may well assume so
    total_range: Range = (total, total) if total_shown else (0, threshold - 1)
    while exposed(values, marks, total=total_range, threshold=threshold):
        candidates = [k for k, mark in marks.items() if mark == SHOWN and k != UNSEEN and values[k] > 0]
        if not candidates:
            return {key: mark if key == UNSEEN else HIDDEN for key, mark in marks.items()}
        marks[min(candidates, key=lambda k: (values[k], k))] = LARGE
    return marks


def exposed(
    values: Mapping[str, int], marks: Mapping[str, str], *, total: Range, threshold: int
) -> list[str]:
    """Hidden cells that hold 1 to t−1 people and that a reader can still work out exactly."""
    ranges = feasible(values, marks, total=total, threshold=threshold)
    return [
        key
        for key, (low, high) in ranges.items()
        if marks[key] != SHOWN and 0 < values[key] < threshold and high - low < 1
    ]
