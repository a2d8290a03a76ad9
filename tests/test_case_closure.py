"""Closing and reopening a case: a reason from the managed list, dates that agree with the status, and a
confirmation that names what is still open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from nextsteps.audit.models import AuditEntry
from nextsteps.casework import actions
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions as record_actions
from nextsteps.records import models as m
from tests import factories
from tests.casework_helpers import ijm_case, user
from tests.factories import open_case

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def reason(code: str = "goals_reached") -> m.ClosureReason:
    return m.ClosureReason.objects.get(code=code)


def test_the_closure_reasons_exist_in_three_languages() -> None:
    codes = set(m.ClosureReason.objects.values_list("code", flat=True))
    assert codes >= {
        "goals_reached",
        "returned_home_stable",
        "moved_away",
        "lost_contact",
        "referred_on",
        "deceased",
        "other",
    }
    assert reason("deceased").label("ro") == "Decedat(ă)"
    assert reason("lost_contact").label("nl") == "Contact verloren"


def test_closing_sets_status_date_and_reason_and_is_audited() -> None:
    case = ijm_case()
    actions.close_case(case, acting_user=user("caseworker.ijm"), reason=reason(), closed=TODAY)
    case.refresh_from_db()
    assert (case.status, case.closed, case.closure_reason) == ("closed", TODAY, reason())
    entry = (
        AuditEntry.objects.filter(model="records.Case", object_pk=str(case.pk), action="change")
        .order_by("pk")
        .last()
    )
    assert entry is not None and set(entry.fields) == {"status", "closed", "closure_reason"}


def test_closing_without_a_reason_is_refused() -> None:
    case = ijm_case()
    with pytest.raises(ValidationError) as refusal:
        actions.close_case(case, acting_user=None, reason=None, closed=TODAY)
    assert refusal.value.message_dict == {"closure_reason": ["Choose why the case is closed."]}


def test_closing_with_open_follow_ups_asks_for_confirmation_and_names_them() -> None:
    case = ijm_case()
    actions.add_follow_up(case, acting_user=None, what="Call the lawyer", due=TODAY)
    with pytest.raises(actions.NeedsConfirmation) as asked:
        actions.close_case(case, acting_user=None, reason=reason(), closed=TODAY)
    assert "Call the lawyer" in asked.value.messages[0]
    case.refresh_from_db()
    assert case.status == "open"
    actions.close_case(case, acting_user=None, reason=reason(), closed=TODAY, confirmed=True)
    assert case.status == "closed"


def test_reopening_clears_the_date_and_reason() -> None:
    case = ijm_case()
    actions.close_case(case, acting_user=None, reason=reason(), closed=TODAY)
    actions.reopen_case(case, acting_user=user("caseworker.ijm"))
    case.refresh_from_db()
    assert (case.status, case.closed, case.closure_reason) == ("open", None, None)


def test_status_and_closing_date_must_agree() -> None:
    case = ijm_case()
    case.status = "closed"
    with pytest.raises(ValidationError) as refusal:
        case.full_clean()
    assert refusal.value.message_dict["closed"] == ["A closed case needs the date it was closed."]
    case.status, case.closed = "open", TODAY
    with pytest.raises(ValidationError) as refusal:
        case.full_clean()
    assert "closed" in refusal.value.message_dict


def test_a_case_cannot_close_before_it_opened_or_in_the_future() -> None:
    case = ijm_case()
    for closed in (case.opened - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)):
        with pytest.raises(ValidationError):
            actions.close_case(case, acting_user=None, reason=reason(), closed=closed)
        case.refresh_from_db()
        assert case.status == "open"


def test_a_second_open_case_for_the_same_person_organisation_and_programme_is_refused() -> None:
    case = ijm_case()
    with pytest.raises(ValidationError) as refusal:
        open_case(
            acting_user=None,
            programme=case.programme,
            organisation=case.organisation,
            person=case.person,
            opened=TODAY,
        )
    assert refusal.value.message_dict == {
        "person": ["This person already has an open case with this organisation in this programme."]
    }


def test_the_database_refuses_a_second_open_case_too() -> None:
    from django.db import IntegrityError, transaction

    case = ijm_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Case.objects.create(
            programme=case.programme, organisation=case.organisation, person=case.person, opened=TODAY
        )


def test_a_closed_case_leaves_room_for_a_new_one() -> None:
    case = ijm_case()
    actions.close_case(case, acting_user=None, reason=reason(), closed=TODAY, confirmed=True)
    again = open_case(
        acting_user=None,
        programme=case.programme,
        organisation=case.organisation,
        person=case.person,
        opened=TODAY,
    )
    assert again.status == "open"


def test_services_and_outcomes_are_dated_inside_the_open_period() -> None:
    person = factories.person(Organisation.objects.get(slug="ijm-ro"))
    case = open_case(
        acting_user=None,
        programme=Programme.objects.get(slug="next-steps"),
        organisation=person.organisation,
        person=person,
        opened=dt.date(2022, 3, 1),
    )
    legal = m.ServiceType.objects.get(code="legal_support")
    with pytest.raises(ValidationError) as refusal:
        record_actions.create_record(
            m.ServiceDelivery, acting_user=None, case=case, service_type=legal, date=dt.date(2022, 2, 28)
        )
    assert "date" in refusal.value.message_dict
    actions.close_case(case, acting_user=None, reason=reason(), closed=dt.date(2022, 4, 1))
    with pytest.raises(ValidationError):
        record_actions.create_record(
            m.Outcome,
            acting_user=None,
            case=case,
            outcome_type=m.OutcomeType.objects.first(),
            date=dt.date(2022, 4, 2),
        )
    record_actions.create_record(
        m.ServiceDelivery, acting_user=None, case=case, service_type=legal, date=dt.date(2022, 4, 1)
    )
