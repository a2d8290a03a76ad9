"""Days from referral to answer: the JSON report has the period's referrals (sent, accepted, declined,
completed, withdrawn, median and longest days to an answer), withheld for outside readers like every small
count of people; the dashboard has a line with the same for the referrals the user may see."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from nextsteps.referrals import figures
from nextsteps.referrals.models import Referral
from nextsteps.reports.builder import EXTERNAL, build_report
from nextsteps.reports.render import render

pytestmark = pytest.mark.django_db

START, END = dt.date(2022, 3, 1), dt.date(2022, 3, 31)
SENT_LINE = (
    "Referrals sent in this period: %(sent)s; accepted %(accepted)s, declined %(declined)s, "
    "completed %(completed)s, withdrawn %(withdrawn)s."
)
DAYS_LINE = "Days from referral to answer: median %(median)s, longest %(longest)s."


def in_language(language: str, message: str, **values: Any) -> str:
    with translation.override(language):
        text = gettext(message)
    assert text != message, f"not translated into {language}"
    return text % values


SENT = dt.date(2022, 3, 2)


def referral(case: m.Case, state: str, answered_after: int | None = None, sent: dt.date = SENT) -> Referral:
    # Written as stored, not through the steps: these tests are about counting what was recorded.
    return Referral.objects.create(
        case=case,
        from_organisation=case.organisation,
        to_organisation=Organisation.objects.get(slug="ijm-ro"),
        reason=Referral.Reason.RETURN,
        state=state,
        sent_on=sent,
        answered_on=sent + dt.timedelta(days=answered_after) if answered_after is not None else None,
    )


@pytest.fixture
def march(demo: Programme) -> list[Referral]:
    """Five referrals of the Dutch office in March 2022, one in each state; three answered after 2, 3 and
    5 days. One more in February, outside the period."""
    cases = list(m.Case.objects.filter(organisation__slug="next-steps-nl").order_by("pk")[:4])
    made = [
        referral(cases[0], "accepted", 2),
        referral(cases[1], "sent"),
        referral(cases[2], "declined", 5),
        referral(cases[2], "completed", 3),
        referral(cases[3], "withdrawn"),
    ]
    referral(cases[3], "declined", 40, sent=dt.date(2022, 2, 10))
    return made


def test_it_counts_each_state_and_the_median_and_longest_wait(
    march: list[Referral], django_assert_num_queries: Any
) -> None:
    programme = m.Case.objects.get(pk=march[0].case_id).programme
    with django_assert_num_queries(1):
        times = figures.answer_times(figures.of_programme(programme), START, END)
    assert times.counts() == {"sent": 5, "accepted": 2, "declined": 1, "completed": 1, "withdrawn": 1}
    assert (times.answered, times.median_days, times.max_days) == (3, 3, 5)


def test_the_json_report_shows_the_periods_referrals_inside_the_organisation(
    demo: Programme, march: list[Referral]
) -> None:
    data = json.loads(render(build_report(demo, START, END, "en"), "json"))
    assert data["referrals"] == {
        "sent": 5,
        "accepted": 2,
        "declined": 1,
        "completed": 1,
        "withdrawn": 1,
        "median_days_to_answer": 3,
        "max_days_to_answer": 5,
    }


def test_the_json_report_for_outside_readers_withholds_small_numbers(
    demo: Programme, march: list[Referral]
) -> None:
    data = json.loads(render(build_report(demo, START, END, "en", audience=EXTERNAL), "json"))
    referrals = data["referrals"]
    assert referrals["sent"] == 5
    assert {referrals[state] for state in ("accepted", "declined", "completed", "withdrawn")} == {
        "fewer than 5"
    }
    # Three answers: a median and a longest wait of so few could point at the persons.
    assert referrals["median_days_to_answer"] == referrals["max_days_to_answer"] == "not shown"


def test_the_json_report_of_a_period_without_referrals_says_none(demo: Programme) -> None:
    data = json.loads(render(build_report(demo, dt.date(2023, 1, 1), dt.date(2023, 1, 31), "en"), "json"))
    assert data["referrals"]["sent"] == 0
    assert data["referrals"]["median_days_to_answer"] is None


def test_the_dashboard_shows_the_referrals_of_the_users_organisations(
    march: list[Referral], login: Callable[[str], Client], django_assert_max_num_queries: Any
) -> None:
    client = login("coordinator")
    period = {"date_from": START.isoformat(), "date_to": END.isoformat()}
    client.get(reverse("home"), period)  # warm the session and the caches
    with django_assert_max_num_queries(60) as captured:
        page = client.get(reverse("home"), period).content.decode()
    # The coordinator reads Dutch.
    assert in_language("nl", SENT_LINE, sent=5, accepted=2, declined=1, completed=1, withdrawn=1) in page
    assert in_language("nl", DAYS_LINE, median=3, longest=5) in page
    # The same number of queries with more referrals: one query counts them all.
    before = len(captured)
    cases = list(m.Case.objects.filter(organisation__slug="next-steps-nl").order_by("pk")[:4])
    for case in cases:
        referral(case, "declined", 1)
    with django_assert_max_num_queries(before):
        client.get(reverse("home"), period)


def test_the_dashboard_counts_no_referral_of_other_organisations(
    march: list[Referral], login: Callable[[str], Client]
) -> None:
    page = login("caseworker.sa").get(reverse("home"), {"date_from": "2022-03-01", "date_to": "2022-03-31"})
    assert page.status_code == 200
    # The Salvation Army's caseworker reads Romanian.
    line = in_language("ro", SENT_LINE, sent=0, accepted=0, declined=0, completed=0, withdrawn=0)
    assert line in page.content.decode()
