"""An indicator's counting rule is data, checked before it is saved; status respects the direction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from nextsteps.indicators.engine import percent_of_target, status
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_it_refuses_a_filter_the_records_do_not_have() -> None:
    prog = f.programme(f.organisation())
    with pytest.raises(ValidationError, match="Unknown filter"):
        f.indicator(prog, "volunteers", "records", {"site_type": ["household"]})


def test_it_refuses_counting_households_of_records_without_one() -> None:
    prog = f.programme(f.organisation())
    with pytest.raises(ValidationError) as error:
        f.indicator(prog, "services", "distinct_households")
    assert "measure" in error.value.message_dict


def test_it_refuses_an_unknown_placeholder_in_a_sentence() -> None:
    prog = f.programme(f.organisation())
    with pytest.raises(ValidationError) as error:
        f.indicator(prog, "services", "records", sentence_en="{total} services")
    assert "sentence_en" in error.value.message_dict


@pytest.mark.parametrize(
    ("actual", "target", "higher", "expected"),
    [
        (13, Decimal(10), True, "exceeded"),
        (10, Decimal(10), True, "met"),
        (9, Decimal(10), True, "behind"),
        (3, Decimal(5), False, "exceeded"),
        (7, Decimal(5), False, "behind"),
        (7, None, True, "no_target"),
    ],
)
def test_status_respects_whether_higher_is_better(
    actual: int, target: Decimal | None, higher: bool, expected: str
) -> None:
    assert status(actual, target, higher_is_better=higher) == expected


def test_percent_of_a_zero_target_is_not_a_number() -> None:
    assert percent_of_target(5, Decimal(0)) is None
    assert percent_of_target(633, Decimal(500)) == Decimal(127)
