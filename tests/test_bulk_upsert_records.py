"""`bulk_upsert_records` and `bulk_link_records`: many records in few queries, each one audited, model rules kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.records import actions
from nextsteps.records.models import Activity, ActivityType, OutreachVisit, Person, SiteType, VisitPerson
from tests import factories as f

pytestmark = pytest.mark.django_db


def visit_row(key: str, prog_id: int, org_id: int, **extra: object) -> dict[str, object]:
    row = {
        "external_id": key,
        "programme_id": prog_id,
        "organisation_id": org_id,
        "date": dt.date(2021, 8, 3),
        "locality": "Iași",
        "site_type_id": SiteType.objects.get(code="street").pk,
    }
    row.update(extra)
    return row


def test_it_creates_and_updates_with_one_audit_entry_per_record_that_changed() -> None:
    user = User.objects.create_user("importer")
    org = f.organisation()
    prog = f.programme(org)
    rows = [visit_row(f"V-{i}", prog.pk, org.pk) for i in range(3)]
    created = actions.bulk_upsert_records(OutreachVisit, rows, acting_user=user, organisation=org)
    assert (created.created, created.changed, created.unchanged) == (3, 0, 0)
    assert set(created.keys) == {"V-0", "V-1", "V-2"}
    entries = AuditEntry.objects.filter(model="records.OutreachVisit", action="create", user=user)
    assert sorted(int(e.object_pk) for e in entries) == sorted(created.keys.values())
    assert all(e.organisation == org for e in entries)

    rows[1]["locality"] = "Cluj-Napoca"
    again = actions.bulk_upsert_records(OutreachVisit, rows, acting_user=user, organisation=org)
    assert (again.created, again.changed, again.unchanged) == (0, 1, 2)
    change = AuditEntry.objects.get(model="records.OutreachVisit", action="change", user=user)
    assert (change.object_pk, change.fields) == (str(created.keys["V-1"]), ["locality"])
    assert OutreachVisit.objects.get(pk=created.keys["V-1"]).locality == "Cluj-Napoca"


def test_external_ids_are_matched_within_the_organisation_only() -> None:
    ours, theirs = f.organisation(), f.organisation()
    prog = f.programme(ours, theirs)
    actions.bulk_upsert_records(
        OutreachVisit, [visit_row("V-1", prog.pk, theirs.pk)], acting_user=None, organisation=theirs
    )
    result = actions.bulk_upsert_records(
        OutreachVisit, [visit_row("V-1", prog.pk, ours.pk)], acting_user=None, organisation=ours
    )
    assert result.created == 1
    assert OutreachVisit.objects.filter(external_id="V-1").count() == 2


def test_a_model_rule_refuses_the_whole_call() -> None:
    org = f.organisation()
    prog = f.programme(org)
    training = ActivityType.objects.get(code="training")
    base = {"programme_id": prog.pk, "organisation_id": org.pk, "activity_type_id": training.pk, "title": "T"}
    rows = [
        {
            **base,
            "external_id": "A-1",
            "date": dt.date(2021, 8, 3),
            "locality": "Iași",
            "attendance_total": 5,
        },
        {
            **base,
            "external_id": "A-2",
            "date": dt.date(2021, 8, 3),
            "locality": "Iași",
            "attendance_total": 5,
            "attendance_men": 9,
        },
    ]
    with pytest.raises(ValidationError, match="A-2"):
        actions.bulk_upsert_records(Activity, rows, acting_user=None, organisation=org)
    assert not Activity.objects.filter(programme=prog).exists()


def test_without_a_savepoint_a_refused_call_leaves_the_callers_transaction_to_roll_back() -> None:
    """The importer's batches: a failure takes back the batch's whole transaction, not the call alone."""
    org = f.organisation()
    prog = f.programme(org)
    training = ActivityType.objects.get(code="training")
    refused = {
        "programme_id": prog.pk,
        "organisation_id": org.pk,
        "activity_type_id": training.pk,
        "title": "T",
        "external_id": "A-1",
        "date": dt.date(2021, 8, 3),
        "locality": "Iași",
        "attendance_total": 5,
        "attendance_men": 9,
    }
    with transaction.atomic():
        actions.bulk_upsert_records(
            OutreachVisit,
            [visit_row("V-1", prog.pk, org.pk)],
            acting_user=None,
            organisation=org,
            savepoint=False,
        )
        with pytest.raises(ValidationError):
            actions.bulk_upsert_records(
                Activity, [refused], acting_user=None, organisation=org, savepoint=False
            )
        assert connection.needs_rollback
    assert not OutreachVisit.objects.filter(organisation=org).exists()


def test_derived_fields_are_set_as_save_would() -> None:
    org = f.organisation()
    actions.bulk_upsert_records(
        Person,
        [
            {
                "external_id": "P-1",
                "code": "P-1",
                "organisation_id": org.pk,
                "birth_date": dt.date(2004, 2, 29),
            }
        ],
        acting_user=None,
        organisation=org,
    )
    person = Person.objects.get(organisation=org)
    assert (person.birth_year, person.adult_on) == (2004, dt.date(2022, 3, 1))


def test_a_record_cannot_be_moved_to_another_programme() -> None:
    org = f.organisation()
    first, second = f.programme(org), f.programme(org)
    actions.bulk_upsert_records(
        OutreachVisit, [visit_row("V-1", first.pk, org.pk)], acting_user=None, organisation=org
    )
    with pytest.raises(ValidationError):
        actions.bulk_upsert_records(
            OutreachVisit, [visit_row("V-1", second.pk, org.pk)], acting_user=None, organisation=org
        )
    assert OutreachVisit.objects.get(external_id="V-1").programme == first


def test_links_are_added_once_and_audited_on_their_owner() -> None:
    org = f.organisation()
    prog = f.programme(org)
    visit = f.visit(prog, org, dt.date(2021, 8, 3))
    a, b = f.person(org), f.person(org)
    added = actions.bulk_link_records(
        VisitPerson,
        [(visit.pk, a.pk), (visit.pk, b.pk)],
        owner="visit_id",
        target="person_id",
        owner_model=OutreachVisit,
        audit_field="persons",
        acting_user=None,
        organisation=org,
    )
    again = actions.bulk_link_records(
        VisitPerson,
        [(visit.pk, a.pk)],
        owner="visit_id",
        target="person_id",
        owner_model=OutreachVisit,
        audit_field="persons",
        acting_user=None,
        organisation=org,
    )
    assert (added, again) == (2, 0)
    assert VisitPerson.objects.filter(visit=visit).count() == 2
    assert (
        AuditEntry.objects.filter(
            model="records.OutreachVisit", object_pk=str(visit.pk), fields=["persons"]
        ).count()
        == 1
    )


def test_a_bulk_write_moves_the_data_version_once_and_an_unchanged_one_does_not() -> None:
    from nextsteps.audit.log import data_version

    org = f.organisation()
    prog = f.programme(org)
    rows = [visit_row(f"V-{i}", prog.pk, org.pk) for i in range(3)]
    before = data_version()
    with CaptureQueriesContext(connection) as written:
        actions.bulk_upsert_records(OutreachVisit, rows, acting_user=None, organisation=org)
    # The dashboard's cached figures are keyed on this number: an import must not leave them stale.
    moved = data_version()
    assert moved > before
    bumps = [q for q in written.captured_queries if q["sql"].startswith('UPDATE "audit_dataversion"')]
    assert len(bumps) == 1
    actions.bulk_upsert_records(OutreachVisit, rows, acting_user=None, organisation=org)
    assert data_version() == moved


def test_bulk_entries_name_the_organisation_the_member_acted_for() -> None:
    from nextsteps.accounts.models import Membership, Role

    org, elsewhere = f.organisation(), f.organisation()
    prog = f.programme(org)
    member = User.objects.create_user("member.importer")
    Membership.objects.create(user=member, organisation=org, role=Role.OUTREACH_WORKER)
    actions.bulk_upsert_records(
        OutreachVisit, [visit_row("V-1", prog.pk, org.pk)], acting_user=member, organisation=org
    )
    first = OutreachVisit.objects.get(organisation=org, external_id="V-1")
    entry = AuditEntry.objects.get(model="records.OutreachVisit", action="create", object_pk=str(first.pk))
    assert entry.acting_organisation_id == org.pk != elsewhere.pk
    actions.bulk_upsert_records(
        OutreachVisit, [visit_row("V-2", prog.pk, org.pk)], acting_user=None, organisation=org
    )
    second = OutreachVisit.objects.get(organisation=org, external_id="V-2")
    system = AuditEntry.objects.get(model="records.OutreachVisit", action="create", object_pk=str(second.pk))
    assert system.acting_organisation_id is None
