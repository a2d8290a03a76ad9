"""The small-number rule (nextsteps/reports/suppression.py): which cells an external report hides, and that
no hidden cell holding people can be worked out from what is shown."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from nextsteps.reports.builder import EXTERNAL, INTERNAL, Figures
from nextsteps.reports.suppression import HIDDEN, LARGE, SHOWN, SMALL, UNSEEN, feasible, protect

T = 5


def reader_values(
    values: Mapping[str, int], marks: Mapping[str, str], *, total: int, total_shown: bool, threshold: int
) -> dict[str, set[int]]:
    """By brute force, every value each cell can take for a reader who sees the marks, the shown figures
    and the total (or, when the total reads "fewer than t", knows it is below t)."""
    bound = total if total_shown else threshold - 1

    def domain(key: str) -> range:
        mark = marks[key]
        if mark == SHOWN:
            return range(values[key], values[key] + 1)
        if mark == SMALL:
            return range(0, threshold)
        if mark == LARGE:
            return range(threshold, bound + 1)
        return range(0, bound + 1)

    def sums(keys: list[str]) -> set[int]:
        """Every sum the cells can make, value by value (no interval reasoning)."""
        reachable = {0}
        for key in keys:
            reachable = {r + v for r, v in itertools.product(reachable, domain(key))}
        return reachable

    totals = [total] if total_shown else list(range(threshold))
    out = {}
    for key in values:
        others = sums([k for k in values if k != key])
        out[key] = {w for w in domain(key) if any(t - w in others for t in totals)}
    return out


def assert_protected(
    values: Mapping[str, int], marks: Mapping[str, str], *, total: int, total_shown: bool, threshold: int
) -> None:
    possible = reader_values(values, marks, total=total, total_shown=total_shown, threshold=threshold)
    for key, value in values.items():
        assert value in possible[key], "the reader's model must admit the truth"
        if marks[key] != SHOWN and 0 < value < threshold:
            assert len(possible[key]) > 1, f"{key}={value} can be worked out: {marks}"


# Examples ----------------------------------------------------------------------------------------------


def test_counts_below_the_threshold_read_as_the_phrase_and_others_are_shown() -> None:
    values = {"woman": 9, "girl": 0, "man": 4, "boy": 0}
    marks = protect(values, threshold=T, total=13)
    assert marks == {"woman": SHOWN, "girl": SMALL, "man": SMALL, "boy": SMALL}
    assert_protected(values, marks, total=13, total_shown=True, threshold=T)


def test_a_lone_hidden_cell_gets_the_next_smallest_hidden_with_it() -> None:
    values = {"Romania": 9, "the Netherlands": 4}  # 13 in all: the Dutch 4 would be 13 − 9
    marks = protect(values, threshold=T, total=13)
    assert marks == {"Romania": LARGE, "the Netherlands": SMALL}
    assert_protected(values, marks, total=13, total_shown=True, threshold=T)


def test_the_complementary_cell_is_the_smallest_shown_one() -> None:
    marks = protect({"a": 3, "b": 7, "c": 6, "d": 40}, threshold=T, total=56)
    assert marks == {"a": SMALL, "b": SHOWN, "c": LARGE, "d": SHOWN}


def test_hidden_cells_whose_sum_forces_their_values_get_another_cell_hidden() -> None:
    # a + b = 17 − 9 = 8 and both are below 5: both are 4.
    values = {"a": 4, "b": 4, "c": 9}
    assert reader_values(
        values, {"a": SMALL, "b": SMALL, "c": SHOWN}, total=17, total_shown=True, threshold=T
    ) == {"a": {4}, "b": {4}, "c": {9}}
    marks = protect(values, threshold=T, total=17)
    assert marks == {"a": SMALL, "b": SMALL, "c": LARGE}
    assert_protected(values, marks, total=17, total_shown=True, threshold=T)


def test_two_small_cells_with_a_small_sum_stay_ambiguous_because_zero_reads_as_the_phrase_too() -> None:
    # With zeros shown, "fewer than 5" would mean 1..4 and a sum of 2 would make both 1; it means 0..4.
    values = {"a": 1, "b": 1, "c": 10, "d": 0}
    marks = protect(values, threshold=T, total=12)
    assert marks == {"a": SMALL, "b": SMALL, "c": SHOWN, "d": SMALL}
    assert_protected(values, marks, total=12, total_shown=True, threshold=T)


def test_a_breakdown_that_cannot_be_protected_otherwise_is_not_shown_at_all() -> None:
    values = {"Oradea": 4, "Ploiești": 4}
    marks = protect(values, threshold=T, total=8)
    assert marks == {"Oradea": HIDDEN, "Ploiești": HIDDEN}
    assert_protected(values, marks, total=8, total_shown=True, threshold=T)


def test_under_a_small_total_every_cell_is_small_and_none_can_be_worked_out() -> None:
    values = {"woman": 1, "girl": 1, "man": 1, "boy": 1, "unknown": 0}
    marks = protect(values, threshold=T, total=4, total_shown=False)
    assert set(marks.values()) == {SMALL}
    assert_protected(values, marks, total=4, total_shown=False, threshold=T)


def test_the_unseen_part_is_never_shown_nor_used_to_protect_a_cell() -> None:
    # 4 people in organisations without a country office, unknown to readers: the 3 cannot be worked out.
    marks = protect({"Romania": 9, "the Netherlands": 3, UNSEEN: 4}, threshold=T, total=16)
    assert marks == {"Romania": SHOWN, "the Netherlands": SMALL, UNSEEN: HIDDEN}
    # When nothing is unseen, readers may assume as much: the 3 would be 12 − 9.
    marks = protect({"Romania": 9, "the Netherlands": 3, UNSEEN: 0}, threshold=T, total=12)
    assert marks == {"Romania": LARGE, "the Netherlands": SMALL, UNSEEN: SHOWN}


def test_a_small_unseen_part_is_protected_like_a_cell() -> None:
    marks = protect({"Bucharest": 9, UNSEEN: 4}, threshold=T, total=13)
    assert marks == {"Bucharest": LARGE, UNSEEN: HIDDEN}


def test_feasible_gives_the_ranges_a_reader_can_work_out() -> None:
    values = {"a": 4, "b": 4, "c": 9}
    marks = {"a": SMALL, "b": SMALL, "c": LARGE}
    assert feasible(values, marks, total=(17, 17), threshold=T) == {"a": (0, 4), "b": (0, 4), "c": (9, 17)}


# Properties ------------------------------------------------------------------------------------------


groups = st.dictionaries(
    st.sampled_from(["w", "g", "m", "b", "u", UNSEEN]), st.integers(0, 14), min_size=1, max_size=4
)


@settings(max_examples=300, deadline=None)
@given(values=groups, threshold=st.integers(2, 6))
def test_no_hidden_cell_holding_people_can_be_worked_out(values: dict[str, int], threshold: int) -> None:
    total = sum(values.values())
    total_shown = total >= threshold
    marks = protect(values, threshold=threshold, total=total, total_shown=total_shown)
    for key, mark in marks.items():
        if key != UNSEEN and mark != HIDDEN:
            # Every figure below the threshold reads as the phrase, every hidden one at or above it not.
            assert (mark == SMALL) == (values[key] < threshold)
    possible = reader_values(values, marks, total=total, total_shown=total_shown, threshold=threshold)
    ranges = feasible(
        values, marks, total=(total, total) if total_shown else (0, threshold - 1), threshold=threshold
    )
    for key, value in values.items():
        assert value in possible[key]
        assert (min(possible[key]), max(possible[key])) == ranges[key]
        assert len(possible[key]) == ranges[key][1] - ranges[key][0] + 1  # no gaps: the ranges are exact
        if marks[key] != SHOWN and 0 < value < threshold:
            assert len(possible[key]) > 1


# The audience ----------------------------------------------------------------------------------------


def test_the_internal_audience_shows_every_figure() -> None:
    figures = Figures(INTERNAL)
    assert figures.total_mark(1, persons=True) == SHOWN
    assert figures.marks({"a": 1, "b": 30}, total=31, total_mark=SHOWN) == {"a": SHOWN, "b": SHOWN}
    assert figures.text(1, SHOWN) == "1"


def test_counts_of_activities_and_items_are_not_withheld() -> None:
    figures = Figures(EXTERNAL, T)
    assert figures.total_mark(1, persons=False) == SHOWN
    assert figures.marks({"Oradea": 1}, total=1, total_mark=SHOWN, persons=False) == {"Oradea": SHOWN}
    assert figures.total_mark(1, persons=True) == SMALL
    assert figures.total_mark(5, persons=True) == SHOWN


def test_a_threshold_of_one_or_less_withholds_nothing() -> None:
    assert Figures(EXTERNAL, 1).total_mark(0, persons=True) == SHOWN


@pytest.mark.parametrize("lang", ["nl", "en", "ro"])
def test_phrases_are_in_the_reports_language_whatever_the_page_speaks(lang: str) -> None:
    figures = Figures(EXTERNAL, 12, lang)
    with translation.override(lang):
        expected = {
            SMALL: translation.gettext("fewer than %(threshold)s") % {"threshold": 12},
            LARGE: translation.gettext("%(threshold)s or more") % {"threshold": 12},
            HIDDEN: translation.gettext("not shown"),
        }
    with translation.override("ro" if lang != "ro" else "nl"):
        assert {mark: figures.text(3, mark) for mark in expected} == expected
        assert figures.text(3, SHOWN) == "3"
    assert Figures(EXTERNAL, 5, "en").text(3, SMALL) == "fewer than 5"
    assert Figures(EXTERNAL, 5, "en").text(30, LARGE) == "5 or more"


@pytest.mark.parametrize(
    ("lang", "small", "large", "hidden"),
    [
        ("en", "fewer than 5", "5 or more", "not shown"),
        ("nl", "minder dan 5", "5 of meer", "niet getoond"),
        ("ro", "mai puțin de 5", "5 sau mai mult", "nu se afișează"),
    ],
)
def test_the_phrases_read_as_written_in_each_language(lang: str, small: str, large: str, hidden: str) -> None:
    # Literal phrases, not gettext's answer: a missing or emptied translation must fail here.
    figures = Figures(EXTERNAL, 5, lang)
    assert (figures.text(3, SMALL), figures.text(30, LARGE), figures.text(3, HIDDEN)) == (
        small,
        large,
        hidden,
    )
