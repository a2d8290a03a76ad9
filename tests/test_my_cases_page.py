"""My cases: a caseworker's open cases with risk, next follow-up, overdue count and last activity; filters,
sorting, search; a fixed number of queries whatever the caseload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.casework import actions
from nextsteps.casework.views import KEPT_LISTS, PAGE_SIZE, case_list
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from tests import factories
from tests.casework_helpers import user
from tests.factories import open_case

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
Login = Callable[[str], Client]


def ijm_cases(count: int, *, overdue: bool = False) -> list[m.Case]:
    """New IJM cases assigned to IJM's caseworker, each with an assessment and a follow-up."""
    org = Organisation.objects.get(slug="ijm-ro")
    made = []
    for _ in range(count):
        person = factories.person(org)
        case = open_case(
            acting_user=None,
            programme=Programme.objects.get(slug="next-steps"),
            organisation=org,
            person=person,
            opened=TODAY - dt.timedelta(days=30),
            caseworker=user("caseworker.ijm"),
        )
        actions.add_assessment(case, acting_user=None, date=TODAY, risk_level="medium")
        due = TODAY - dt.timedelta(days=2) if overdue else TODAY + dt.timedelta(days=5)
        actions.add_follow_up(case, acting_user=None, what="Call", due=due)
        made.append(case)
    return made


def rows(client: Client, **query: str) -> list[Any]:
    response = client.get(reverse("casework:mine"), query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_it_shows_my_open_cases_with_risk_next_follow_up_and_overdue_count(login: Login) -> None:
    (case,) = ijm_cases(1, overdue=True)
    shown_all = rows(login("caseworker.ijm"))
    # The demo's IJM cases are hers too.
    assert {c.pk for c in shown_all} == set(
        m.Case.objects.filter(caseworker=user("caseworker.ijm"), status="open").values_list("pk", flat=True)
    )
    (shown,) = [c for c in shown_all if c.pk == case.pk]
    assert shown.pk == case.pk
    assert (shown.risk, shown.overdue_count, shown.next_follow_up) == (
        "medium",
        1,
        TODAY - dt.timedelta(days=2),
    )
    assert shown.last_activity == case.opened


def test_it_hides_cases_of_other_organisations(login: Login) -> None:
    ijm_cases(2)
    assert rows(login("caseworker.sa")) == []
    assert rows(login("caseworker.sa"), scope="organisation") == []


def test_the_filters_narrow_the_list(login: Login) -> None:
    calm = ijm_cases(1)
    late = ijm_cases(1, overdue=True)
    client = login("caseworker.ijm")
    overdue = {c.pk for c in rows(client, overdue="on")}
    assert late[0].pk in overdue and calm[0].pk not in overdue
    assert all(c.overdue_count > 0 for c in rows(client, overdue="on"))
    assert all(c.risk == "high" for c in rows(client, risk="high"))
    assert calm[0].pk not in {c.pk for c in rows(client, risk="high")}
    codes = [c.person.code for c in rows(client, sort="code")]
    assert codes == sorted(codes)
    assert [c.pk for c in rows(client, q=calm[0].person.code)] == [calm[0].pk]
    # The organisation's cases include those nobody is assigned to.
    nobodys = m.Case.objects.filter(organisation__slug="ijm-ro", status="open").first()
    assert nobodys is not None
    m.Case.objects.filter(pk=nobodys.pk).update(caseworker=None)
    assert nobodys.pk not in {c.pk for c in rows(client)}
    everyone = rows(client, scope="organisation")
    assert len(everyone) == m.Case.objects.filter(organisation__slug="ijm-ro", status="open").count()


def test_a_case_i_only_help_on_is_mine_too(login: Login) -> None:
    (case,) = ijm_cases(1)
    helper = user("caseworker.sa")
    case.organisation.memberships.create(user=helper, role="caseworker")
    actions.assign_case(case, acting_user=None, caseworker=user("caseworker.ijm"), co_workers=[helper])
    assert [c.pk for c in rows(login("caseworker.sa"))] == [case.pk]
    assert case.pk in {c.pk for c in rows(login("caseworker.ijm"))}


def test_the_number_of_queries_does_not_grow_with_the_caseload(login: Login) -> None:
    client = login("caseworker.ijm")
    ijm_cases(3, overdue=True)
    client.get(reverse("casework:mine"))  # the session and memberships, read once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("casework:mine"), {"scope": "organisation"})
    ijm_cases(30, overdue=True)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("casework:mine"), {"scope": "organisation"})
    assert len(response.context["page"].object_list) == PAGE_SIZE < response.context["page"].paginator.count
    assert len(many) == len(few)


def test_counting_the_caseload_computes_none_of_the_listed_columns(login: Login) -> None:
    """The count reads the cases' keys only: risk, follow-ups and last activity are subqueries worth
    computing for the 25 cases of a page, not for each of a caseworker's thousands (at a million persons
    the demo's caseworker has 6,000: 140 ms a request)."""
    client = login("caseworker.ijm")
    ijm_cases(2, overdue=True)
    client.get(reverse("casework:mine"))
    with CaptureQueriesContext(connection) as captured:
        assert len(rows(client)) > 2
    (count,) = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT COUNT(*)") and "records_case" in q["sql"]
    ]
    for table in ("casework_assessment", "casework_followup", "casework_casenote", "records_outcome"):
        assert table not in count
    assert "DISTINCT" not in count


def test_ordering_the_caseload_computes_only_what_it_is_sorted_by(login: Login) -> None:
    """The page's cases are chosen in the list's order by the next follow-up, the case's own column (kept by
    triggers), reading no other table; the other columns are computed for the cases shown only."""
    client = login("caseworker.ijm")
    ijm_cases(3)
    client.get(reverse("casework:mine"))
    with CaptureQueriesContext(connection) as captured:
        shown = rows(client)
    assert len(shown) > 3 and shown[0].risk == "medium" and shown[0].next_follow_up is not None
    (ordered,) = [
        q["sql"]
        for q in captured.captured_queries
        if "ORDER BY" in q["sql"] and q["sql"].startswith('SELECT "records_case"."id" AS "pk" FROM')
    ]
    assert '"records_case"."next_follow_up" ASC NULLS LAST' in ordered
    for table in (
        "casework_followup",
        "casework_assessment",
        "casework_casenote",
        "records_outcome",
        "records_servicedelivery",
    ):
        assert table not in ordered


def test_a_persona_without_cases_gets_404(login: Login) -> None:
    assert login("volunteers.dorcas").get(reverse("casework:mine")).status_code == 404


def test_the_lists_kept_for_the_day_hold_no_case(login: Login) -> None:
    """The columns' subqueries are built once a day and copied for each request: the kept lists are never
    read themselves, so no case of one reader stays in memory for the next."""
    ijm_cases(3, overdue=True)
    client = login("caseworker.ijm")
    for params in ({}, {"scope": "organisation", "sort": "risk"}, {"sort": "activity", "overdue": "on"}):
        assert client.get(reverse("casework:mine"), params).status_code == 200
    assert len(list(case_list(dt.date.today()))) == m.Case.objects.count()
    assert len(KEPT_LISTS) >= 4
    assert all(kept._result_cache is None for kept in KEPT_LISTS.values())


def test_a_new_day_builds_the_lists_again() -> None:
    today = dt.date.today()
    case_list(today - dt.timedelta(days=1), ["risk"])
    case_list(today, ["risk"])
    assert {day for day, *_rest in KEPT_LISTS} == {today}
