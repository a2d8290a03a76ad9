"""When a consent is valid, and what a consent record may not say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from nextsteps.privacy.actions import record_consent, withdraw_consent
from nextsteps.privacy.models import Consent, valid_on
from tests import factories

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def person():  # type: ignore[no-untyped-def]
    return factories.person(factories.organisation())


def test_a_consent_holds_from_the_day_given_to_its_last_day(person) -> None:  # type: ignore[no-untyped-def]
    consent = record_consent(
        acting_user=None, person=person, purpose="services", given_on=D(2021, 3, 1), expires_on=D(2021, 6, 30)
    )
    assert [consent.is_valid_on(day) for day in (D(2021, 2, 28), D(2021, 3, 1), D(2021, 6, 30))] == [
        False,
        True,
        True,
    ]
    assert not consent.is_valid_on(D(2021, 7, 1))


def test_a_withdrawn_consent_no_longer_holds_from_the_day_of_withdrawal(person) -> None:  # type: ignore[no-untyped-def]
    consent = record_consent(acting_user=None, person=person, purpose="services", given_on=D(2021, 3, 1))
    withdraw_consent(acting_user=None, consent=consent, on=D(2021, 5, 10))
    assert consent.is_valid_on(D(2021, 5, 9))
    assert not consent.is_valid_on(D(2021, 5, 10))
    assert not consent.is_valid_on(D(2030, 1, 1))


@pytest.mark.parametrize(
    "day", [D(2021, 2, 28), D(2021, 3, 1), D(2021, 5, 9), D(2021, 5, 10), D(2021, 6, 30), D(2021, 7, 1)]
)
def test_the_database_and_python_agree_on_validity(person, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    consents = [
        record_consent(acting_user=None, person=person, purpose="services", given_on=D(2021, 3, 1)),
        record_consent(
            acting_user=None,
            person=person,
            purpose="services",
            given_on=D(2021, 3, 1),
            expires_on=D(2021, 6, 30),
        ),
    ]
    withdraw_consent(acting_user=None, consent=consents[0], on=D(2021, 5, 10))
    in_sql = set(Consent.objects.filter(valid_on(day), person=person).values_list("pk", flat=True))
    assert in_sql == {c.pk for c in consents if c.is_valid_on(day)}


def test_a_consent_to_share_names_an_organisation_other_than_the_persons_own(person) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as missing:
        record_consent(acting_user=None, person=person, purpose="sharing", given_on=D(2021, 3, 1))
    assert "shared_with" in missing.value.message_dict
    with pytest.raises(ValidationError) as own:
        record_consent(
            acting_user=None,
            person=person,
            purpose="sharing",
            given_on=D(2021, 3, 1),
            shared_with=person.organisation,
        )
    assert "shared_with" in own.value.message_dict
    with pytest.raises(ValidationError) as stray:
        record_consent(
            acting_user=None,
            person=person,
            purpose="services",
            given_on=D(2021, 3, 1),
            shared_with=factories.organisation(),
        )
    assert "shared_with" in stray.value.message_dict
    assert not Consent.objects.filter(person=person).exists()


def test_dates_must_be_in_order_and_not_in_the_future(person) -> None:  # type: ignore[no-untyped-def]
    future = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="given_on"):
        record_consent(acting_user=None, person=person, purpose="services", given_on=future)
    with pytest.raises(ValidationError, match="expires_on"):
        record_consent(
            acting_user=None,
            person=person,
            purpose="services",
            given_on=D(2021, 3, 1),
            expires_on=D(2021, 2, 1),
        )
    consent = record_consent(acting_user=None, person=person, purpose="services", given_on=D(2021, 3, 1))
    with pytest.raises(ValidationError, match="withdrawn_on"):
        withdraw_consent(acting_user=None, consent=consent, on=D(2021, 2, 1))
    with pytest.raises(ValidationError, match="withdrawn_on"):
        withdraw_consent(acting_user=None, consent=consent, on=future)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_recording_and_withdrawing_are_audited(person) -> None:  # type: ignore[no-untyped-def]
    from nextsteps.audit.models import AuditEntry

    consent = record_consent(acting_user=None, person=person, purpose="services", given_on=D(2021, 3, 1))
    withdraw_consent(acting_user=None, consent=consent, on=D(2021, 4, 1))
    entries = AuditEntry.objects.filter(model="privacy.Consent", object_pk=str(consent.pk))
    assert sorted(entries.values_list("action", flat=True)) == ["change", "create"]
    assert entries.get(action="change").fields == ["withdrawn_on"]
    assert entries.get(action="create").organisation == person.organisation
