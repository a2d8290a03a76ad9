"""The hours a volunteer gave, one figure per month: 0 to 744, the month stored as its first day, written and
audited through the actions layer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.records import actions
from nextsteps.records import models as m
from tests.importing import translated

pytestmark = pytest.mark.django_db


def a_volunteer() -> m.Volunteer:
    volunteer = m.Volunteer.objects.filter(organisation__slug="dorcas-ro").first()
    assert volunteer is not None
    return volunteer


def coordinator() -> User:
    return User.objects.get(username="volunteers.dorcas")


def test_hours_are_stored_for_the_first_day_of_their_month_and_audited() -> None:
    volunteer = a_volunteer()
    entry = actions.record_volunteer_hours(
        volunteer, acting_user=coordinator(), month=dt.date(2024, 3, 17), hours=12
    )
    assert (entry.month, entry.hours) == (dt.date(2024, 3, 1), 12)
    audit = AuditEntry.objects.get(model="records.VolunteerHours", object_pk=str(entry.pk))
    assert (audit.action, audit.user, audit.organisation) == (
        AuditEntry.Action.CREATE,
        coordinator(),
        volunteer.organisation,
    )


def test_recording_a_month_again_replaces_its_hours() -> None:
    volunteer = a_volunteer()
    first = actions.record_volunteer_hours(volunteer, acting_user=None, month=dt.date(2024, 3, 1), hours=12)
    again = actions.record_volunteer_hours(volunteer, acting_user=None, month=dt.date(2024, 3, 20), hours=15)
    assert again.pk == first.pk
    assert list(m.VolunteerHours.objects.filter(volunteer=volunteer).values_list("hours", flat=True)) == [15]
    assert AuditEntry.objects.filter(
        model="records.VolunteerHours", object_pk=str(first.pk), action=AuditEntry.Action.CHANGE
    ).exists()


@pytest.mark.parametrize("hours", [-1, 745])
def test_hours_outside_0_to_744_are_refused(hours: int) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.record_volunteer_hours(
            a_volunteer(), acting_user=None, month=dt.date(2024, 3, 1), hours=hours
        )
    assert "hours" in refused.value.message_dict
    assert not m.VolunteerHours.objects.filter(month=dt.date(2024, 3, 1)).exists()


def test_a_whole_month_of_hours_is_accepted() -> None:
    entry = actions.record_volunteer_hours(
        a_volunteer(), acting_user=None, month=dt.date(2024, 1, 1), hours=744
    )
    assert entry.hours == 744


def test_hours_of_a_month_that_has_not_started_are_refused() -> None:
    next_month = (dt.date.today().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    with pytest.raises(ValidationError) as refused:
        actions.record_volunteer_hours(a_volunteer(), acting_user=None, month=next_month, hours=3)
    assert "month" in refused.value.message_dict


def test_hours_of_this_month_are_accepted() -> None:
    entry = actions.record_volunteer_hours(a_volunteer(), acting_user=None, month=dt.date.today(), hours=3)
    assert entry.month == dt.date.today().replace(day=1)


def test_the_database_keeps_one_figure_per_volunteer_and_month() -> None:
    volunteer = a_volunteer()
    m.VolunteerHours.objects.create(volunteer=volunteer, month=dt.date(2024, 3, 1), hours=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        m.VolunteerHours.objects.create(volunteer=volunteer, month=dt.date(2024, 3, 1), hours=2)


def test_the_database_refuses_more_hours_than_a_month_has() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        m.VolunteerHours.objects.create(volunteer=a_volunteer(), month=dt.date(2024, 3, 1), hours=745)


def test_a_coordinator_records_hours_on_the_volunteers_page(login: Callable[[str], Client]) -> None:
    volunteer = a_volunteer()
    client = login("volunteers.dorcas")
    url = reverse("records:volunteer-hours", args=[volunteer.pk])
    response = client.post(url, {"month": "2024-05-20", "hours": "16"})
    assert response.status_code == 302
    assert volunteer.hours.get(month=dt.date(2024, 5, 1)).hours == 16
    page = client.get(reverse("records:volunteer-detail", args=[volunteer.pk]))
    assert "16" in page.content.decode() and url in page.content.decode()


def test_the_hours_page_refuses_too_many_hours_in_the_users_language(login: Callable[[str], Client]) -> None:
    volunteer = a_volunteer()
    response = login("volunteers.dorcas").post(
        reverse("records:volunteer-hours", args=[volunteer.pk]), {"month": "2024-05-01", "hours": "800"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["hours"]
    assert not volunteer.hours.filter(month=dt.date(2024, 5, 1)).exists()


def test_the_hours_page_refuses_a_month_that_has_not_started(login: Callable[[str], Client]) -> None:
    volunteer = a_volunteer()
    next_month = (dt.date.today().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    response = login("volunteers.dorcas").post(
        reverse("records:volunteer-hours", args=[volunteer.pk]),
        {"month": next_month.isoformat(), "hours": "3"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["month"] == [
        translated("ro", "Hours cannot be recorded for a month that has not started.")
    ]


def test_another_organisations_volunteer_hours_page_is_404(login: Callable[[str], Client]) -> None:
    other = m.Volunteer.objects.exclude(organisation__slug="dorcas-ro").first()
    assert other is not None
    url = reverse("records:volunteer-hours", args=[other.pk])
    assert login("volunteers.dorcas").post(url, {"month": "2024-05-01", "hours": "3"}).status_code == 404
    assert not other.hours.filter(month=dt.date(2024, 5, 1)).exists()


def test_the_volunteers_page_lists_the_hours_per_month_in_the_readers_language(
    login: Callable[[str], Client],
) -> None:
    volunteer = a_volunteer()
    actions.record_volunteer_hours(volunteer, acting_user=None, month=dt.date(2024, 5, 1), hours=1)
    page = login("volunteers.dorcas").get(reverse("records:volunteer-detail", args=[volunteer.pk]))
    sections = {title: items for title, items, _url in page.context["related"]}
    assert sections[translated("ro", "Hours per month")][0] == "mai 2024: 1 oră"
