"""A case's next follow-up (the earliest due date of its open follow-ups) is kept in the case's own column by
database triggers, whoever writes: the ORM one by one or in bulk, raw SQL, a follow-up moved to another
case, and a case saved with the value it read before a follow-up changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from nextsteps.casework.models import FollowUp
from nextsteps.casework.next_follow_up import TRIGGERS
from nextsteps.records.models import Case

pytestmark = pytest.mark.django_db

DAY = dt.date(2030, 3, 1)


def a_case(index: int = 0) -> Case:
    case = Case.objects.filter(status=Case.Status.OPEN).order_by("pk")[index]
    FollowUp.objects.filter(case=case).delete()
    return case


def stored(case: Case) -> dt.date | None:
    return Case.objects.values_list("next_follow_up", flat=True).get(pk=case.pk)


def follow_up(case: Case, due: dt.date, done: dt.date | None = None) -> FollowUp:
    return FollowUp.objects.create(case=case, what="Call back", due=due, done=done)


def test_a_case_without_open_follow_ups_has_none() -> None:
    case = a_case()
    assert stored(case) is None
    follow_up(case, DAY, done=DAY)
    assert stored(case) is None


def test_the_earliest_open_follow_up_is_the_next_one() -> None:
    case = a_case()
    follow_up(case, DAY + dt.timedelta(days=9))
    assert stored(case) == DAY + dt.timedelta(days=9)
    follow_up(case, DAY)
    assert stored(case) == DAY


def test_completing_or_moving_the_earliest_one_makes_the_next_one_next() -> None:
    case = a_case()
    first, second = follow_up(case, DAY), follow_up(case, DAY + dt.timedelta(days=3))
    first.done = DAY
    first.save()
    assert stored(case) == second.due
    second.due = DAY + dt.timedelta(days=1)
    second.save()
    assert stored(case) == DAY + dt.timedelta(days=1)


def test_deleting_the_last_open_follow_up_leaves_none() -> None:
    case = a_case()
    follow_up(case, DAY).delete()
    assert stored(case) is None


def test_a_follow_up_moved_to_another_case_counts_for_that_one_only() -> None:
    case, other = a_case(0), a_case(1)
    moved = follow_up(case, DAY)
    FollowUp.objects.filter(pk=moved.pk).update(case=other)
    assert (stored(case), stored(other)) == (None, DAY)


def test_a_case_saved_with_the_value_it_read_keeps_the_true_one() -> None:
    case = a_case()
    opened_in_a_form = Case.objects.get(pk=case.pk)
    follow_up(case, DAY)
    opened_in_a_form.save()  # every field, the stale next follow-up among them
    assert stored(case) == DAY
    Case.objects.filter(pk=case.pk).update(next_follow_up=DAY - dt.timedelta(days=100))
    assert stored(case) == DAY


def test_bulk_and_raw_writes_keep_it_too() -> None:
    case = a_case()
    FollowUp.objects.bulk_create(
        [FollowUp(case=case, what="Visit", due=DAY + dt.timedelta(days=n)) for n in (5, 2, 7)]
    )
    assert stored(case) == DAY + dt.timedelta(days=2)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE casework_followup SET done = %s WHERE case_id = %s", [DAY, case.pk])
    assert stored(case) is None
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM casework_followup WHERE case_id = %s", [case.pk])
    assert stored(case) is None


def test_the_triggers_are_installed() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'next_follow_up%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'next_follow_up%%'"
            )
        installed = {row[0] for row in cursor.fetchall()}
    assert installed == {name for _table, name in TRIGGERS}
