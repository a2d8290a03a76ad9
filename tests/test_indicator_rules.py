"""An indicator's counting rule is data, checked before it is saved; status respects the direction."""

from __future__ import annotations

import json
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


# Filter values: a value the records cannot hold would silently count nothing (or, for the survivor flag,
# the opposite of what was meant), so the rule is refused with a sentence that says what is wrong.


@pytest.mark.parametrize("value", ["no", "false", 0, 1, None, ["yes"]])
def test_the_survivor_filter_takes_only_true_or_false(value: object) -> None:
    prog = f.programme(f.organisation())
    with pytest.raises(ValidationError) as error:
        f.indicator(prog, "services", "distinct_persons", {"survivor": value})
    assert error.value.message_dict["filters"] == [
        f"The filter “survivor” takes true or false, not {json.dumps(value)}."
    ]


@pytest.mark.parametrize(
    ("source", "filters", "message"),
    [
        (
            "services",
            {"type": ["legal_support", "legal_aid"]},
            "The filter “type” has no value “legal_aid”; choose from ",
        ),
        ("outcomes", {"type": ["legal_support"]}, "The filter “type” has no value “legal_support”"),
        ("activities", {"type": "party"}, "The filter “type” has no value “party”"),
        ("visits", {"site_type": ["beach"]}, "The filter “site_type” has no value “beach”"),
        (
            "persons_reached",
            {"sex": ["female", "f"]},
            "The filter “sex” has no value “f”; choose from female, male, other, unknown.",
        ),
        (
            "partner_contacts",
            {"kind": ["police"]},
            "The filter “kind” has no value “police”; choose from government, law_enforcement, ngo, other, "
            "university.",
        ),
        (
            "volunteers",
            {"status": ["busy"]},
            "The filter “status” has no value “busy”; choose from active, applied, inactive, left, paused, "
            "screening, training.",
        ),
        ("partner_contacts", {"status": ["paused"]}, "choose from active, ended."),
        ("visits", {"organisation": ["no-such-organisation"]}, "has no value “no-such-organisation”"),
        ("visits", {"locality": []}, "The filter “locality” takes a text or a list of texts, not []."),
        ("visits", {"locality": [3]}, "The filter “locality” takes a text or a list of texts, not [3]."),
        ("distributions", {"item": {"gift": 1}}, "takes a text or a list of texts"),
    ],
)
def test_a_filter_value_the_records_cannot_hold_is_refused(
    source: str, filters: dict[str, object], message: str
) -> None:
    prog = f.programme(f.organisation())
    with pytest.raises(ValidationError) as error:
        f.indicator(prog, source, "records", filters)
    assert [m for m in error.value.message_dict["filters"] if message in m], error.value.message_dict


def test_every_problem_of_a_rule_is_told_at_once() -> None:
    prog = f.programme(f.organisation())
    with pytest.raises(ValidationError) as error:
        f.indicator(
            prog, "services", "records", {"survivor": "no", "type": ["x"], "site_type": ["household"]}
        )
    assert len(error.value.message_dict["filters"]) == 3


def test_known_values_and_free_text_pass() -> None:
    org = f.organisation()
    prog = f.programme(org)
    f.indicator(prog, "services", "distinct_persons", {"type": ["legal_support"], "survivor": False})
    f.indicator(prog, "persons_reached", "records", {"sex": "male", "organisation": [org.slug]})
    f.indicator(prog, "visits", "records", {"site_type": ["household"], "locality": ["Anywhere at all"]})
    f.indicator(prog, "volunteers", "records", {"status": ["active"], "campaign": ["planned-later"]})
