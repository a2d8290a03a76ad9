"""Finding an erased person's values in free text (nextsteps/privacy/traces.py): as search compares names,
phone numbers by their digits, whole words only, and a name alone only where a cell holds one value."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from nextsteps.privacy.traces import MARK, Traces

TRACES = Traces.of(
    SimpleNamespace(
        given_name="Ioana",
        family_name="Ștefănescu-Popa",
        phone="+40 711 222 333",
        address="Strada Teilor 3",
        identity_number="RX-918273",
        code="IJM-0003",
        external_id="",
    )
)


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("Ioana Ștefănescu-Popa called.", f"{MARK} called."),
        ("IOANA STEFANESCU POPA called.", f"{MARK} called."),
        ("Stefanescu Popa, Ioana called.", f"{MARK} called."),
        ("Call 0711 222 333 or +40711222333.", f"Call {MARK} or {MARK}."),
        ("Lives at strada teilor 3, second floor.", f"Lives at {MARK}, second floor."),
        ("See IJM-0003 and IJM-00031.", f"See {MARK} and IJM-00031."),
        ("ID rx 918273.", f"ID {MARK}."),
        ("ioana_stefanescu-popa_intake.xlsx", f"{MARK}_intake.xlsx"),
    ],
)
def test_her_values_are_found_however_they_were_typed(text: str, scrubbed: str) -> None:
    assert TRACES.scrub(text) == scrubbed


def test_a_name_alone_is_left_in_prose_and_found_in_a_cell() -> None:
    assert TRACES.scrub("Ioana from the court called.") == "Ioana from the court called."
    assert TRACES.scrub("Ioana from the court called.", names=True) == f"{MARK} from the court called."


def test_only_whole_words_match_and_text_without_her_is_the_very_same_string() -> None:
    text = "Ioanaa met Popaescu at Strada Teilor 33; call 0711 222 334."
    assert TRACES.scrub(text, names=True) is text


def test_a_person_without_values_finds_nothing() -> None:
    empty = Traces.of(
        SimpleNamespace(
            given_name="",
            family_name="",
            phone="",
            address="",
            identity_number="",
            code="P-1",
            external_id="",
        )
    )
    assert not empty and empty.scrub("P-1 and anything") == "P-1 and anything"
