"""An indicator's report sentence: its placeholders filled in, and, for a sex × age breakdown, the people
whose sex or age is not known said in a sentence of their own (never silently left out)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from nextsteps.reports.builder import build_report
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = dt.date(2021, 5, 1)
SENTENCE = "{women} women and {men} men were reached ({value} in all)."


def reached(*people: tuple[str, dt.date | None], **indicator: Any) -> list[str]:
    org = f.organisation()
    prog = f.programme(org)
    f.indicator(prog, "persons_reached", "distinct_persons", **{"sentence_en": SENTENCE, **indicator})
    for sex, born in people:
        f.visit(prog, org, DAY, f.person(org, sex, born=born))
    lines: list[str] = []
    for lang in ("en", "nl"):
        lines += [line.sentence for line in build_report(prog, DAY, DAY, lang).lines]
    return lines


ADULT = dt.date(1980, 1, 1)


def test_the_unknown_are_counted_in_a_sentence_of_their_own() -> None:
    en, nl = reached(
        ("female", ADULT), ("male", ADULT), ("unknown", ADULT), ("female", None), sex_age_breakdown=True
    )
    assert en == "1 women and 1 men were reached (4 in all). Sex or age is not known for 2 of them."
    assert nl.endswith("Bij 2 van hen zijn geslacht of leeftijd niet bekend.")


def test_no_such_sentence_when_everyone_is_known() -> None:
    en, _nl = reached(("female", ADULT), ("male", ADULT), sex_age_breakdown=True)
    assert en == "1 women and 1 men were reached (2 in all)."


def test_no_such_sentence_when_the_sentence_says_it_itself() -> None:
    own = "{value} reached, of whom {unknown} of unknown sex or age."
    en, _nl = reached(("unknown", ADULT), sex_age_breakdown=True, sentence_nl=own, sentence_en=own)
    assert en == "1 reached, of whom 1 of unknown sex or age."


def test_no_such_sentence_for_an_indicator_reported_without_its_breakdown() -> None:
    en, _nl = reached(("unknown", None), sex_age_breakdown=False)
    assert en == "0 women and 0 men were reached (1 in all)."
