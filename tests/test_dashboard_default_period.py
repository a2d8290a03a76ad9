"""The dashboard opens on the latest period in which the indicators count something, so that a first look
shows figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.indicators.models import Indicator, Target
from nextsteps.programmes.models import Organisation, Programme
from tests import factories as f

pytestmark = pytest.mark.django_db


def programme_with_services(*dates: dt.date) -> tuple[Programme, Indicator]:
    """A programme of the coordinator's organisation, started on 1 April 2019, with a service per date."""
    org = Organisation.objects.get(slug="next-steps-nl")
    prog = f.programme(org)
    prog.start_date = dt.date(2019, 4, 1)
    prog.save()
    indicator = f.indicator(prog, "services", "distinct_persons")
    for day in dates:
        f.service(prog, org, f.person(org), day)
    return prog, indicator


def first_look(client: Client, prog: Programme) -> dict[str, str]:
    response = client.get(reverse("home"), {"programme": prog.slug})
    assert response.status_code == 200
    return {
        "period": response.context["period"],
        **{row.indicator.code: row.actual for p in response.context["pillars"] for row in p["rows"]},
    }


def test_a_programme_whose_records_are_all_in_an_earlier_year_opens_on_that_year(
    login: Callable[[str], Client],
) -> None:
    prog, indicator = programme_with_services(dt.date(2019, 9, 3), dt.date(2020, 2, 10))
    client = login("coordinator")
    response = client.get(reverse("home"), {"programme": prog.slug})
    assert response.context["form"].chosen_period() == (dt.date(2019, 4, 1), dt.date(2020, 3, 31))
    assert first_look(client, prog)[indicator.code] == "2"


def test_a_programme_with_records_this_year_opens_on_this_year_so_far(login: Callable[[str], Client]) -> None:
    today = dt.date.today()
    prog, _indicator = programme_with_services(dt.date(2019, 9, 3), today)
    response = login("coordinator").get(reverse("home"), {"programme": prog.slug})
    start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    assert response.context["form"].chosen_period() == (start, today)
    assert response.context["form"]["period"].value() == "year"


def test_a_reporting_period_with_targets_that_holds_the_latest_record_is_preferred(
    login: Callable[[str], Client],
) -> None:
    prog, indicator = programme_with_services(dt.date(2020, 1, 15))
    Target.objects.create(indicator=indicator, start=dt.date(2019, 10, 1), end=dt.date(2020, 3, 31), target=4)
    response = login("coordinator").get(reverse("home"), {"programme": prog.slug})
    assert response.context["form"].chosen_period() == (dt.date(2019, 10, 1), dt.date(2020, 3, 31))
    assert response.context["form"]["period"].value() == "20191001-20200331"


def test_a_programme_without_records_opens_on_this_year_so_far(login: Callable[[str], Client]) -> None:
    prog, _indicator = programme_with_services()
    response = login("coordinator").get(reverse("home"), {"programme": prog.slug})
    assert response.context["form"]["period"].value() == "year"


def test_a_period_asked_for_is_kept(login: Callable[[str], Client]) -> None:
    prog, _indicator = programme_with_services(dt.date(2019, 9, 3))
    response = login("coordinator").get(reverse("home"), {"programme": prog.slug, "period": "year"})
    assert response.context["form"].chosen_period()[1] == dt.date.today()


def test_the_demo_opens_on_a_period_with_figures(login: Callable[[str], Client]) -> None:
    response = login("coordinator").get(reverse("home"))
    actuals = [row.actual for p in response.context["pillars"] for row in p["rows"]]
    assert any(a not in {"0", "–"} for a in actuals)


def legal_support_programme() -> tuple[Programme, Indicator, Organisation]:
    """A programme started on 1 April 2019 whose only indicator counts legal support, with one counted
    service in its first programme year."""
    org = Organisation.objects.get(slug="next-steps-nl")
    prog = f.programme(org)
    prog.start_date = dt.date(2019, 4, 1)
    prog.save()
    indicator = f.indicator(prog, "services", "distinct_persons", {"type": ["legal_support"]})
    f.service(prog, org, f.person(org), dt.date(2019, 9, 3))
    return prog, indicator, org


def test_a_single_uncounted_record_dated_today_does_not_move_the_dashboard_to_an_empty_year(
    login: Callable[[str], Client],
) -> None:
    prog, indicator, org = legal_support_programme()
    f.service(prog, org, f.person(org), dt.date.today(), code="education")
    client = login("coordinator")
    response = client.get(reverse("home"), {"programme": prog.slug})
    assert response.context["form"].chosen_period() == (dt.date(2019, 4, 1), dt.date(2020, 3, 31))
    assert first_look(client, prog)[indicator.code] == "1"


def test_one_counted_record_dated_today_opens_the_dashboard_on_this_year_so_far(
    login: Callable[[str], Client],
) -> None:
    prog, indicator, org = legal_support_programme()
    f.service(prog, org, f.person(org), dt.date.today(), code="education")
    f.service(prog, org, f.person(org), dt.date.today())
    client = login("coordinator")
    response = client.get(reverse("home"), {"programme": prog.slug})
    assert response.context["form"]["period"].value() == "year"
    assert response.context["form"].chosen_period()[1] == dt.date.today()
    assert first_look(client, prog)[indicator.code] == "1"
