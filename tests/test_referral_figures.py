"""What a referral does to the programme's figures: services the receiving organisation delivers on it count
for that organisation, and the person once; referrals themselves are a source (sent, accepted, declined,
completed; distinct persons)."""

from __future__ import annotations

import datetime as dt

import pytest

from nextsteps.indicators import engine
from nextsteps.privacy.actions import record_consent
from nextsteps.records import actions as record_actions
from nextsteps.records import models as m
from nextsteps.referrals import actions
from tests import factories
from tests.factories import open_case

pytestmark = pytest.mark.django_db

START, END = dt.date(2021, 1, 1), dt.date(2021, 12, 31)


@pytest.fixture
def world(demo: object) -> dict[str, object]:
    sender, receiver = factories.organisation(), factories.organisation()
    prog = factories.programme(sender, receiver)
    survivor = factories.person(sender, survivor_status="identified", born=dt.date(1990, 5, 1))
    case = open_case(acting_user=None, programme=prog, organisation=sender, person=survivor, opened=START)
    record_actions.record_service(
        acting_user=None,
        case=case,
        service_type=m.ServiceType.objects.get(code="psychosocial"),
        date=dt.date(2021, 2, 1),
    )
    record_consent(
        acting_user=None,
        person=survivor,
        purpose="sharing",
        given_on=START,
        shared_with=receiver,
    )
    referral = actions.send_referral(
        acting_user=None,
        case=case,
        to_organisation=receiver,
        services=m.ServiceType.objects.filter(code__in=["return_assistance", "legal_support"]),
        reason="return",
        on=dt.date(2021, 3, 1),
    )
    actions.accept_referral(acting_user=None, referral=referral, on=dt.date(2021, 3, 4))
    for code, day in (("return_assistance", 10), ("legal_support", 12)):
        actions.record_referral_service(
            acting_user=None,
            referral=referral,
            service_type=m.ServiceType.objects.get(code=code),
            date=dt.date(2021, 3, day),
        )
    return {"prog": prog, "sender": sender, "receiver": receiver, "referral": referral}


def test_services_delivered_on_a_referral_count_for_the_organisation_that_delivered_them(
    world: dict,
) -> None:
    indicator = factories.indicator(
        world["prog"], "services", "records", {"type": ["return_assistance", "legal_support"]}
    )
    value = engine.value(indicator, START, END)
    assert value.total == 2
    assert value.by_organisation == {world["receiver"].pk: 2}


def test_the_person_helped_by_both_organisations_counts_once(world: dict) -> None:
    everyone = engine.value(
        factories.indicator(world["prog"], "services", "distinct_persons", {"survivor": True}), START, END
    )
    assert everyone.total == 1
    # Placed by her first service, which the sending organisation delivered.
    assert everyone.by_organisation == {world["sender"].pk: 1}
    helped_home = engine.value(
        factories.indicator(
            world["prog"],
            "services",
            "distinct_persons",
            {"type": ["return_assistance", "legal_support"], "survivor": True},
        ),
        START,
        END,
    )
    assert helped_home.total == 1 and helped_home.by_organisation == {world["receiver"].pk: 1}
    assert helped_home.sex_age["woman"] == 1


def test_referrals_count_by_state_for_the_sending_organisation(world: dict) -> None:
    referral = world["referral"]
    actions.complete_referral(acting_user=None, referral=referral, on=dt.date(2021, 4, 1))
    answered = factories.indicator(
        world["prog"], "referrals", "records", {"state": ["accepted", "completed"]}
    )
    declined = factories.indicator(world["prog"], "referrals", "distinct_persons", {"state": "declined"})
    sent = factories.indicator(world["prog"], "referrals", "distinct_persons")
    assert engine.value(answered, START, END).by_organisation == {world["sender"].pk: 1}
    assert engine.value(declined, START, END).total == 0
    assert engine.value(sent, START, END).total == 1
