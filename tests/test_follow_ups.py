"""Follow-ups: dated tasks on a case; overdue is derived from the due date, never stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from nextsteps.audit.models import AuditEntry
from nextsteps.casework import actions
from nextsteps.casework.models import FollowUp
from nextsteps.records import models as m
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_a_follow_up_past_its_due_date_is_overdue_until_done() -> None:
    case = ijm_case()
    late = actions.add_follow_up(
        case,
        acting_user=None,
        what="Visit",
        due=TODAY - dt.timedelta(days=2),
        assigned_to=user("caseworker.ijm"),
    )
    soon = actions.add_follow_up(case, acting_user=None, what="Call", due=TODAY + dt.timedelta(days=2))
    assert late.overdue and not soon.overdue
    assert list(FollowUp.objects.filter(case=case).overdue()) == [late]
    actions.complete_follow_up(late, acting_user=user("caseworker.ijm"), done=TODAY)
    assert not late.overdue
    assert not FollowUp.objects.filter(case=case).overdue().exists()


def test_overdue_is_not_a_stored_column() -> None:
    assert "overdue" not in {f.name for f in FollowUp._meta.get_fields()}


def test_the_text_is_encrypted_and_writes_are_audited() -> None:
    from django.db import connection

    follow_up = actions.add_follow_up(
        ijm_case(), acting_user=user("caseworker.ijm"), what="Ring Ana", due=TODAY
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT what FROM casework_followup WHERE id = %s", [follow_up.pk])
        (stored,) = cursor.fetchone()
    assert "Ana" not in stored
    assert AuditEntry.objects.filter(
        model="casework.FollowUp", object_pk=str(follow_up.pk), action="create"
    ).exists()


def test_a_follow_up_cannot_be_done_in_the_future_or_before_the_case_opened() -> None:
    case = ijm_case()
    follow_up = actions.add_follow_up(case, acting_user=None, what="Call", due=TODAY)
    for done in (TODAY + dt.timedelta(days=1), case.opened - dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as refusal:
            actions.complete_follow_up(follow_up, acting_user=None, done=done)
        assert "done" in refusal.value.message_dict
        follow_up.refresh_from_db()
        assert follow_up.done is None


def test_a_follow_up_is_not_added_to_a_closed_case() -> None:
    case = ijm_case()
    from nextsteps.casework.actions import close_case

    close_case(
        case, acting_user=None, reason=m.ClosureReason.objects.get(code="other"), closed=TODAY, confirmed=True
    )
    with pytest.raises(ValidationError):
        actions.add_follow_up(case, acting_user=None, what="Call", due=TODAY)


def test_a_follow_up_is_assigned_only_to_someone_working_on_the_organisations_cases() -> None:
    with pytest.raises(ValidationError) as refusal:
        actions.add_follow_up(
            ijm_case(), acting_user=None, what="Call", due=TODAY, assigned_to=user("caseworker.sa")
        )
    assert refusal.value.message_dict == {
        "assigned_to": ["This person does not work on cases for the case's organisation."]
    }
