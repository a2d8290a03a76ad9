"""No report of the demo, in any language or format, names a person or volunteer or gives a phone number.

The identifying details are read through the models (which decrypt them), so the test checks what the
details are, not how they are stored."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from nextsteps.programmes.models import Programme
from nextsteps.records.models import Person, Volunteer
from nextsteps.reports.builder import EXTERNAL, INTERNAL, build_report
from nextsteps.reports.render import render

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)


def identifying_details(programme: Programme) -> tuple[set[str], set[str]]:
    """Every name (as words) and phone number of the demo's persons and volunteers."""
    names: set[str] = set()
    phones: set[str] = set()
    for person in Person.objects.filter(organisation__programmes=programme).distinct():
        names.update(filter(None, [person.given_name, person.family_name]))
        phones.update(filter(None, [person.phone, person.identity_number]))
    for volunteer in Volunteer.objects.filter(programme=programme):
        names.update(volunteer.name.split())
        phones.update(filter(None, [volunteer.phone]))
    return names, phones


@pytest.fixture(scope="module")
def details(django_db_setup: None, django_db_blocker: Any) -> tuple[set[str], set[str]]:
    with django_db_blocker.unblock():
        return identifying_details(Programme.objects.get(slug="next-steps"))


def test_the_demo_has_names_and_phone_numbers_to_protect(details: tuple[set[str], set[str]]) -> None:
    names, phones = details
    assert len(names) > 20 and len(phones) > 20


@pytest.mark.parametrize("audience", [INTERNAL, EXTERNAL])
@pytest.mark.parametrize("lang", ["nl", "en", "ro"])
def test_no_report_names_a_person_or_gives_a_phone_number(
    demo: Programme, details: tuple[set[str], set[str]], lang: str, audience: str
) -> None:
    names, phones = details
    report = build_report(demo, START, END, lang, audience=audience)
    # A number's last nine digits, with or without its country code or spacing.
    digits = {re.sub(r"\D", "", phone)[-9:] for phone in phones}
    for fmt in ("md", "html", "json"):
        text = render(report, fmt)
        words = set(re.findall(r"\w+", text))
        assert not names & words, f"{fmt}: {sorted(names & words)[:5]}"
        assert not [phone for phone in phones if phone in text], fmt
        # Nor written another way ("0740123456", "+40-740-123-456"): compare the digits of number-like runs.
        runs = {re.sub(r"\D", "", run)[-9:] for run in re.findall(r"\+?\d[\d\s./-]{6,}\d", text)}
        assert not digits & runs, fmt
