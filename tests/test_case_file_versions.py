"""No lost updates on the case file: every item two people can edit (assessment, goal, planned action,
follow-up, note, the case's identification) carries a version; the second of two edits from the same
version is refused naming who changed what, the first kept and nothing of the second written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from nextsteps.accounts.models import User
from nextsteps.casework import actions
from nextsteps.casework.models import NeedArea
from nextsteps.identification.actions import record_identification
from nextsteps.identification.models import CaseIdentification
from nextsteps.records import models as m
from nextsteps.records import versions
from tests.case_file_edits import second_caseworker
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def legal_support() -> m.ServiceType:
    return m.ServiceType.objects.get(code="legal_support")


# Per item: how to make one, its edit action, a first edit and a second one of another field.
Item = tuple[Callable[[], Any], Callable[..., Any], dict[str, Any], dict[str, Any]]
ITEMS: dict[str, Item] = {
    "assessment": (
        lambda: actions.add_assessment(
            ijm_case(), acting_user=None, date=ijm_case().opened, risk_level="low"
        ),
        actions.update_assessment,
        {"risk_level": "high"},
        {"safety_concerns": "He knows where she lives."},
    ),
    "goal": (
        lambda: actions.add_goal(ijm_case(), acting_user=None, text="Safe housing"),
        actions.update_goal,
        {"status": "reached"},
        {"text": "Safe housing in Iași"},
    ),
    "planned action": (
        lambda: actions.add_planned_action(
            actions.add_goal(ijm_case(), acting_user=None, text="Legal aid"),
            acting_user=None,
            service_type=legal_support(),
        ),
        actions.update_planned_action,
        {"status": "cancelled"},
        {"due": TODAY},
    ),
    "follow-up": (
        lambda: actions.add_follow_up(ijm_case(), acting_user=None, what="Call", due=TODAY),
        actions.update_follow_up,
        {"done": TODAY},
        {"what": "Call the lawyer"},
    ),
    "note": (
        lambda: actions.add_note(ijm_case(), acting_user=None, date=TODAY, text="Met at the shelter."),
        actions.update_note,
        {"date": TODAY - dt.timedelta(days=1)},
        {"text": "Met at home."},
    ),
}


@pytest.mark.parametrize("kind", sorted(ITEMS))
def test_the_second_of_two_edits_is_refused_naming_the_first_and_nothing_is_lost(
    kind: str, demo: Any
) -> None:
    make, edit, first_change, second_change = ITEMS[kind]
    ana, mihai = second_caseworker(), user("caseworker.ijm")
    item = make()
    model = type(item)
    assert item.version == 1
    # The note's edits are by its author or a coordinator: the system here, who may.
    first_editor, second_editor = (None, None) if kind == "note" else (ana, mihai)
    edit(model.objects.get(pk=item.pk), acting_user=first_editor, expected_version=1, **first_change)
    with pytest.raises(versions.StaleEdit) as refused:
        edit(model.objects.get(pk=item.pk), acting_user=second_editor, expected_version=1, **second_change)
    stored = model.objects.get(pk=item.pk)
    assert stored.version == 2
    for name, value in first_change.items():
        assert getattr(stored, name) == value
    for name in second_change:
        assert getattr(stored, name) == getattr(item, name)
    assert refused.value.fields == list(first_change)
    assert refused.value.people == (["the system"] if kind == "note" else ["Ana Pop (ana.ijm)"])


@pytest.mark.parametrize("kind", sorted(ITEMS))
def test_a_later_edit_from_the_current_version_saves(kind: str, demo: Any) -> None:
    make, edit, first_change, second_change = ITEMS[kind]
    item = make()
    edit(item, acting_user=None, expected_version=1, **first_change)
    edit(item, acting_user=None, expected_version=2, **second_change)
    assert type(item).objects.get(pk=item.pk).version == 3


def test_an_edit_of_a_field_that_is_not_editable_is_a_programming_error(demo: Any) -> None:
    goal = actions.add_goal(ijm_case(), acting_user=None, text="Safe housing")
    with pytest.raises(TypeError):
        actions.update_goal(goal, acting_user=None, case=ijm_case())


def test_an_assessment_saved_with_the_same_needs_keeps_its_version(demo: Any) -> None:
    needs = list(NeedArea.objects.all()[:2])
    case = ijm_case()
    assessment = actions.add_assessment(
        case, acting_user=None, date=case.opened, risk_level="low", needs=needs
    )
    actions.update_assessment(assessment, acting_user=None, expected_version=1, needs=reversed(needs))
    assert type(assessment).objects.get(pk=assessment.pk).version == 1


def test_marking_a_follow_up_done_from_a_stale_version_is_refused(demo: Any) -> None:
    follow_up = actions.add_follow_up(ijm_case(), acting_user=None, what="Call", due=TODAY)
    actions.update_follow_up(follow_up, acting_user=second_caseworker(), expected_version=1, due=TODAY)
    actions.update_follow_up(follow_up, acting_user=None, expected_version=1, what="Call her")
    with pytest.raises(versions.StaleEdit):
        actions.complete_follow_up(
            type(follow_up).objects.get(pk=follow_up.pk), acting_user=None, done=TODAY, expected_version=1
        )


def test_of_two_people_marking_a_follow_up_done_at_once_only_the_first_records_a_date(demo: Any) -> None:
    follow_up = actions.add_follow_up(ijm_case(), acting_user=None, what="Call", due=TODAY)
    mine, theirs = (type(follow_up).objects.get(pk=follow_up.pk) for _ in range(2))
    actions.complete_follow_up(mine, acting_user=None, done=TODAY)
    with pytest.raises(ValidationError, match="already done"):
        actions.complete_follow_up(theirs, acting_user=None, done=TODAY - dt.timedelta(days=1))
    assert type(follow_up).objects.get(pk=follow_up.pk).done == TODAY


def test_the_second_of_two_identification_edits_is_refused_naming_the_first(demo: Any) -> None:
    identification = CaseIdentification.objects.filter(case__organisation__slug="ijm-ro").first()
    assert identification is not None
    case, start = identification.case, identification.version
    ana: User = second_caseworker()
    record_identification(case, acting_user=ana, expected_version=start, recruitment_locality="Bacău")
    with pytest.raises(versions.StaleEdit) as refused:
        record_identification(case, acting_user=None, expected_version=start, account="Another account.")
    stored = CaseIdentification.objects.get(pk=identification.pk)
    assert (stored.recruitment_locality, stored.account, stored.version) == (
        "Bacău",
        identification.account,
        start + 1,
    )
    assert refused.value.people == ["Ana Pop (ana.ijm)"] and refused.value.fields == ["recruitment_locality"]
