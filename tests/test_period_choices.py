"""The dashboard's period choices follow the programme year (nextsteps/reports/periods.py), also for a programme
that started on 29 February."""

from __future__ import annotations

import datetime as dt

import pytest

from nextsteps.programmes.models import Organisation
from nextsteps.reports.views import period_choices
from tests import factories as f

pytestmark = pytest.mark.django_db


def last_year(started: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    prog = f.programme(Organisation.objects.get(slug="next-steps-nl"))
    prog.start_date = started
    prog.save()
    ((_key, _label, start, end),) = [c for c in period_choices(prog, today) if c[0] == "last-year"]
    return start, end


def test_last_programme_year_is_the_year_before_this_one() -> None:
    assert last_year(dt.date(2019, 4, 1), dt.date(2026, 12, 4)) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))


def test_a_programme_year_that_starts_on_29_february_has_a_last_year_too() -> None:
    assert last_year(dt.date(2024, 2, 29), dt.date(2028, 3, 10)) == (
        dt.date(2027, 2, 28),
        dt.date(2028, 2, 28),
    )


def test_the_year_after_a_leap_year_goes_back_to_29_february() -> None:
    assert last_year(dt.date(2024, 2, 29), dt.date(2029, 3, 10)) == (
        dt.date(2028, 2, 29),
        dt.date(2029, 2, 27),
    )
