"""Assigning a case: one responsible caseworker of the case's organisation, optional co-workers, audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from nextsteps.audit.models import AuditEntry
from nextsteps.casework import actions
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db


def test_a_caseworker_of_the_organisation_is_assigned_and_it_is_audited() -> None:
    case = ijm_case()
    newcomer = user("caseworker.sa")
    case.organisation.memberships.create(user=newcomer, role="caseworker")
    actions.assign_case(case, acting_user=user("caseworker.ijm"), caseworker=newcomer)
    case.refresh_from_db()
    assert case.caseworker == newcomer
    entry = (
        AuditEntry.objects.filter(model="records.Case", object_pk=str(case.pk), action="change")
        .order_by("pk")
        .last()
    )
    assert entry is not None and "caseworker" in entry.fields and entry.user == user("caseworker.ijm")


def test_a_caseworker_of_another_organisation_is_refused() -> None:
    case = ijm_case()
    before = case.caseworker_id
    with pytest.raises(ValidationError) as refusal:
        actions.assign_case(case, acting_user=None, caseworker=user("caseworker.sa"))
    assert refusal.value.message_dict == {
        "caseworker": ["The responsible caseworker must work on cases for the case's organisation."]
    }
    case.refresh_from_db()
    assert case.caseworker_id == before


def test_someone_whose_role_does_not_write_cases_is_refused() -> None:
    case = ijm_case()
    case.organisation.memberships.create(user=user("viewer"), role="viewer")
    with pytest.raises(ValidationError):
        actions.assign_case(case, acting_user=None, caseworker=user("viewer"))


def test_co_workers_must_belong_to_the_organisation() -> None:
    case = ijm_case()
    with pytest.raises(ValidationError) as refusal:
        actions.assign_case(
            case, acting_user=None, caseworker=user("caseworker.ijm"), co_workers=[user("caseworker.sa")]
        )
    assert "co_workers" in refusal.value.message_dict
    assert not case.co_workers.exists()


def test_reassigning_replaces_the_caseworker_and_keeps_co_workers_apart() -> None:
    case = ijm_case()
    helper = user("caseworker.sa")
    case.organisation.memberships.create(user=helper, role="caseworker")
    actions.assign_case(case, acting_user=None, caseworker=user("caseworker.ijm"), co_workers=[helper])
    actions.assign_case(
        case, acting_user=None, caseworker=helper, co_workers=[helper, user("caseworker.ijm")]
    )
    case.refresh_from_db()
    assert case.caseworker == helper
    assert list(case.co_workers.all()) == [user("caseworker.ijm")]
