"""One date format per language on every page (nextsteps/formats): the month in letters, never a day and a
month as two numbers that staff read in two ways; date inputs stay ISO."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from nextsteps.records import models as m

pytestmark = pytest.mark.django_db

# 12/02/2026, 2-12-2026, 12.02.26: a day and a month as numbers, in either order.
NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")
DAY = dt.date(2026, 12, 4)
MOMENT = dt.datetime(2026, 12, 4, 14, 5)


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "4 Dec 2026", "4 Dec 2026 14:05"),
        ("nl", "4 dec 2026", "4 dec 2026 14:05"),
        ("ro", "4 dec 2026", "4 dec 2026 14:05"),
    ],
)
def test_each_language_writes_one_date_format_long_or_short(language: str, day: str, moment: str) -> None:
    with translation.override(language):
        assert formats.date_format(DAY) == formats.date_format(DAY, "SHORT_DATE_FORMAT") == day
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == moment
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == moment


def test_the_audit_trail_in_english_shows_no_date_as_numbers(login: Callable[[str], Client]) -> None:
    client = login("dpo")  # reads English
    person = m.Person.objects.filter(organisation__slug="next-steps-nl").order_by("pk").first()
    assert person is not None
    client.get(reverse("records:person-detail", args=[person.pk]))
    html = client.get(reverse("audit")).content.decode()
    today = timezone.localdate()
    with translation.override("en"):
        assert formats.date_format(today) in html
    assert not NUMERIC_DATE.search(html), NUMERIC_DATE.findall(html)
    who = client.get(reverse("audit"), {"model": "records.Person", "record": str(person.pk)})
    assert not NUMERIC_DATE.search(who.content.decode())


def test_a_date_input_keeps_the_iso_date(login: Callable[[str], Client]) -> None:
    person = m.Person.objects.filter(organisation__slug="ijm-ro").order_by("pk").first()
    assert person is not None
    m.Person.objects.filter(pk=person.pk).update(birth_date=dt.date(1990, 5, 4), birth_year=1990)
    html = login("caseworker.ijm").get(reverse("records:person-edit", args=[person.pk])).content.decode()
    assert re.search(r'<input type="date" name="birth_date" value="1990-05-04"', html)
