"""A volunteer's identifying details are covered like a person's: encrypted at rest, exported to the
data-protection officer (`nextsteps volunteer export`), erased (`nextsteps volunteer erase`), and erased by
retention once a volunteer who left has been gone longer than the programme keeps identifying data."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.volunteers import due_volunteers
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer() -> m.Volunteer:
    """A volunteer of Next Steps NL, whose data-protection officer is the demo's `dpo`."""
    created = actions.create_record(
        m.Volunteer,
        acting_user=None,
        programme=Programme.objects.get(slug="next-steps"),
        organisation=Organisation.objects.get(slug="next-steps-nl"),
        code="VOL-PRIV-1",
        external_id="HR-77",
        signed_up=dt.date(2022, 3, 1),
        name="Maria Zwaantje Jansen",
        phone="+31 6 5555 0101",
        locality="Utrecht",
    )
    actions.record_volunteer_hours(created, acting_user=None, month=dt.date(2022, 4, 1), hours=9)
    return created


def command(*args: str) -> str:
    out = StringIO()
    call_command("volunteer", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_name_and_phone_are_encrypted_in_the_database(volunteer: m.Volunteer) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM records_volunteer WHERE id = %s", [volunteer.pk])
        stored = cursor.fetchone()
    assert "Jansen" not in stored[0] and "5555" not in stored[1]


def test_the_export_holds_the_volunteers_details_and_hours(volunteer: m.Volunteer) -> None:
    data = json.loads(command("export", "VOL-PRIV-1", "--user", "dpo", "--lang", "en"))
    details = {row["field"]: row["value"] for row in data["volunteer"]}
    assert details["name"] == "Maria Zwaantje Jansen" and details["phone"] == "+31 6 5555 0101"
    assert data["hours"] == [{"month": "2022-04", "hours": 9}]
    assert {entry["record"] for entry in data["audit"]} == {"volunteer", "volunteer hours"}
    assert AuditEntry.objects.filter(
        model="records.Volunteer", object_pk=str(volunteer.pk), action=AuditEntry.Action.EXPORT
    ).exists()


def test_only_the_data_protection_officer_of_the_volunteers_organisation_may_export(
    volunteer: m.Volunteer,
) -> None:
    for user in ("volunteers.dorcas", "admin"):
        with pytest.raises(CommandError):
            command("export", "VOL-PRIV-1", "--user", user)


def test_erasure_removes_the_name_phone_code_and_external_id_and_keeps_the_figures(
    volunteer: m.Volunteer,
) -> None:
    out = command("erase", "VOL-PRIV-1", "--user", "dpo", "--yes")
    volunteer.refresh_from_db()
    assert volunteer.code.startswith("ERASED-") and volunteer.code in out
    assert (volunteer.name, volunteer.phone, volunteer.external_id) == ("", "", "")
    assert (volunteer.signed_up, volunteer.locality) == (dt.date(2022, 3, 1), "Utrecht")
    assert list(volunteer.hours.values_list("hours", flat=True)) == [9]
    entry = AuditEntry.objects.filter(model="records.Volunteer", object_pk=str(volunteer.pk)).latest("at")
    assert entry.fields == ["code", "external_id", "name", "phone"]


def test_erasure_needs_yes_and_is_not_done_twice(volunteer: m.Volunteer) -> None:
    with pytest.raises(CommandError):
        command("erase", "VOL-PRIV-1", "--user", "dpo")
    assert m.Volunteer.objects.get(pk=volunteer.pk).name == "Maria Zwaantje Jansen"
    command("erase", "VOL-PRIV-1", "--user", "dpo", "--yes")
    code = m.Volunteer.objects.get(pk=volunteer.pk).code
    with pytest.raises(CommandError):
        command("erase", code, "--user", "dpo", "--yes")


def test_retention_erases_volunteers_who_left_longer_ago_than_the_programme_keeps_data(
    volunteer: m.Volunteer,
) -> None:
    Programme.objects.filter(slug="next-steps").update(retention_months_after_closure=12)
    m.Volunteer.objects.filter(pk=volunteer.pk).update(stage=m.Volunteer.Stage.LEFT)
    long_after = dt.date.today() + dt.timedelta(days=800)
    assert not [d for d in due_volunteers(dt.date.today()) if d.volunteer.pk == volunteer.pk]
    assert [d.volunteer.pk for d in due_volunteers(long_after)].count(volunteer.pk) == 1


def test_retention_keeps_volunteers_who_have_not_left(volunteer: m.Volunteer) -> None:
    Programme.objects.filter(slug="next-steps").update(retention_months_after_closure=12)
    long_after = dt.date.today() + dt.timedelta(days=800)
    assert volunteer.pk not in [d.volunteer.pk for d in due_volunteers(long_after)]


def test_the_retention_command_erases_the_volunteers_due() -> None:
    # A programme of its own: the command would otherwise also anonymise the demo's closed cases.
    organisation = factories.organisation()
    programme = factories.programme(organisation)
    Programme.objects.filter(pk=programme.pk).update(retention_months_after_closure=1)
    gone = actions.create_record(
        m.Volunteer,
        acting_user=None,
        programme=programme,
        organisation=organisation,
        code="VOL-GONE",
        signed_up=dt.date(2022, 3, 1),
        stage=m.Volunteer.Stage.LEFT,
        name="Ana Gone",
    )
    m.Volunteer.objects.filter(pk=gone.pk).update(updated_at=dt.datetime(2022, 5, 1, tzinfo=dt.UTC))
    out = StringIO()
    call_command(
        "apply-retention", "--programme", programme.slug, "--lang", "en", stdout=out, stderr=StringIO()
    )
    gone.refresh_from_db()
    assert gone.code.startswith("ERASED-") and gone.name == ""
    assert "1 volunteer who left was erased." in out.getvalue()


def test_the_data_protection_page_finds_a_volunteer_by_code_and_exports_them(
    volunteer: m.Volunteer, login: Callable[[str], Client]
) -> None:
    client = login("dpo")
    page = client.get(reverse("privacy:rights"), {"q": "vol-priv-1"})
    assert [v.pk for v in page.context["volunteers"]] == [volunteer.pk]
    download = client.get(reverse("privacy:rights-volunteer-export", args=[volunteer.pk]))
    data = json.loads(download.content)
    assert {row["field"]: row["value"] for row in data["volunteer"]}["name"] == "Maria Zwaantje Jansen"
    assert AuditEntry.objects.filter(
        model="records.Volunteer", object_pk=str(volunteer.pk), action=AuditEntry.Action.EXPORT
    ).exists()


def test_the_data_protection_page_erases_a_volunteer_once_their_code_is_typed(
    volunteer: m.Volunteer, login: Callable[[str], Client]
) -> None:
    client = login("dpo")
    url = reverse("privacy:rights-volunteer-erase", args=[volunteer.pk])
    refused = client.post(url, {"code": "VOL-OTHER"})
    assert refused.status_code == 200 and refused.context["form"].errors["code"]
    assert m.Volunteer.objects.get(pk=volunteer.pk).name == "Maria Zwaantje Jansen"
    assert client.post(url, {"code": "VOL-PRIV-1"}).status_code == 302
    erased = m.Volunteer.objects.get(pk=volunteer.pk)
    assert erased.code.startswith("ERASED-") and erased.name == "" and erased.phone == ""


def test_a_volunteer_of_another_organisation_is_404_on_the_data_protection_pages(
    login: Callable[[str], Client],
) -> None:
    other = m.Volunteer.objects.filter(organisation__slug="dorcas-ro").first()
    assert other is not None
    client = login("dpo")
    assert client.get(reverse("privacy:rights-volunteer-export", args=[other.pk])).status_code == 404
    assert (
        client.post(
            reverse("privacy:rights-volunteer-erase", args=[other.pk]), {"code": other.code}
        ).status_code
        == 404
    )
    assert not m.Volunteer.objects.get(pk=other.pk).code.startswith("ERASED-")
    assert client.get(reverse("privacy:rights"), {"q": other.code}).context["volunteers"] == []
