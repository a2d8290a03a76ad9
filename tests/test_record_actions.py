"""Writes go through the actions layer: validated, atomic and audited with field names only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.records import actions
from nextsteps.records.models import Activity, ActivityType, Person, ServiceDelivery
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_it_audits_a_change_by_field_name_without_the_value() -> None:
    user = User.objects.create_user("caseworker")
    person = f.person(f.organisation())
    actions.update_record(person, acting_user=user, given_name="Secret Name", sex="female")
    entry = AuditEntry.objects.filter(action="change", model="records.Person", object_pk=str(person.pk)).get()
    assert entry.user == user
    assert entry.fields == ["given_name"]
    assert "Secret" not in str(entry.fields)


def test_it_saves_nothing_when_validation_fails() -> None:
    org = f.organisation()
    prog = f.programme(org)
    with pytest.raises(ValidationError):
        actions.create_record(
            Activity,
            acting_user=None,
            programme=prog,
            organisation=org,
            activity_type=ActivityType.objects.get(code="training"),
            title="x",
            date=dt.date(2021, 1, 1),
            locality="Iași",
            attendance_total=5,
            attendance_women=6,
        )
    assert not Activity.objects.filter(programme=prog).exists()


def test_it_refuses_a_service_delivered_in_the_future() -> None:
    org = f.organisation()
    prog = f.programme(org)
    with pytest.raises(ValidationError):
        f.service(prog, org, f.person(org), dt.date.today() + dt.timedelta(days=2))
    assert not ServiceDelivery.objects.filter(case__programme=prog).exists()


def test_it_audits_a_delete_before_the_record_goes() -> None:
    person = f.person(f.organisation())
    pk = person.pk
    actions.delete_record(person, acting_user=None)
    assert not Person.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(action="delete", model="records.Person", object_pk=str(pk)).exists()
