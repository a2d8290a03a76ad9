"""Erasing a person empties the texts of their case file (notes, follow-ups, goals, assessments) and keeps
the dated rows, each change audited by field name."""

from __future__ import annotations

import datetime as dt

import pytest

from nextsteps.audit.models import AuditEntry
from nextsteps.casework import actions
from nextsteps.casework.models import Assessment, CaseNote, FollowUp, Goal
from nextsteps.privacy.erasure import erase_person
from nextsteps.programmes.models import Programme
from tests import factories
from tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_erasure_empties_the_case_file_and_keeps_its_dates() -> None:
    org = factories.organisation()
    prog = factories.programme(org)
    person = factories.person(org, given_name="Zamfira", family_name="Oprea")
    case = open_case(
        acting_user=None, programme=prog, organisation=org, person=person, opened=dt.date(2022, 1, 3)
    )
    day = dt.date(2022, 1, 10)
    note = actions.add_note(case, acting_user=None, date=day, text="Zamfira is afraid.")
    follow_up = actions.add_follow_up(case, acting_user=None, what="Call Zamfira", due=day)
    goal = actions.add_goal(case, acting_user=None, text="Zamfira goes home")
    assessment = actions.add_assessment(
        case, acting_user=None, date=day, risk_level="high", safety_concerns="Zamfira's uncle", needs_note="x"
    )
    erase_person(person, acting_user=None)
    assert CaseNote.objects.get(pk=note.pk).text == ""
    assert FollowUp.objects.get(pk=follow_up.pk).what == ""
    assert Goal.objects.get(pk=goal.pk).text == ""
    kept = Assessment.objects.get(pk=assessment.pk)
    assert (kept.safety_concerns, kept.needs_note, kept.risk_level, kept.date) == ("", "", "high", day)
    entry = AuditEntry.objects.filter(
        model="casework.Assessment", object_pk=str(assessment.pk), action="change"
    )
    assert entry.get().fields == ["needs_note", "safety_concerns"]
    assert Programme.objects.filter(pk=prog.pk).exists()
