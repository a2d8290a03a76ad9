"""`export-records --user`: the named user's rights decide what leaves, as on the pages (organisation scope and
kinds of record, accounts/access.py); the audit trail is written before the files, in batches."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from nextsteps.audit.log import log_each
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Programme
from nextsteps.records import models as m
from tests.importing import command

pytestmark = pytest.mark.django_db


def export(folder: Path, *args: str) -> None:
    command("export-records", str(folder), "--programme", "next-steps", *args)


def test_a_coordinator_cannot_export_another_organisations_records(demo: Programme, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="coordinator may not read any records of Dorcas"):
        export(tmp_path, "--organisation", "dorcas-ro", "--user", "coordinator", "--include-identifying")
    assert not list(tmp_path.iterdir())
    assert not AuditEntry.objects.filter(action="export").exists()


def test_without_an_organisation_only_the_users_own_organisations_are_exported(
    demo: Programme, tmp_path: Path
) -> None:
    export(tmp_path, "--user", "coordinator")
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == ["next-steps-nl"]
    organisations = set(
        AuditEntry.objects.filter(action="export").values_list("organisation__slug", flat=True)
    )
    assert organisations == {"next-steps-nl"}


def test_a_volunteer_coordinator_exports_only_the_kinds_they_may_read(
    demo: Programme, tmp_path: Path
) -> None:
    export(tmp_path, "--organisation", "dorcas-ro", "--user", "volunteers.dorcas", "--include-identifying")
    files = {p.stem for p in tmp_path.iterdir()}
    assert "volunteers" in files
    # Their volunteers' hours too: they record them.
    assert files <= {"volunteers", "volunteer_hours", "campaigns", "distributions"}
    models = set(AuditEntry.objects.filter(action="export").values_list("model", flat=True))
    assert "records.Person" not in models and "records.Case" not in models


def test_a_caseworker_exports_casework_but_not_volunteers_or_activities(
    demo: Programme, tmp_path: Path
) -> None:
    export(tmp_path, "--organisation", "salvation-army-ro", "--user", "caseworker.sa")
    files = {p.stem for p in tmp_path.iterdir()}
    assert {"persons", "outreach_visits"} <= files
    assert not files & {"volunteers", "activities", "campaigns", "distributions", "partner_contacts"}


def test_a_user_of_no_organisation_in_the_programme_is_refused(demo: Programme, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="viewer may not read any records"):
        export(tmp_path, "--user", "viewer")
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_export_is_audited_even_when_its_file_cannot_be_written(demo: Programme, tmp_path: Path) -> None:
    # A file in the way of the folder makes writing fail after the records were read.
    blocker = tmp_path / "persons.csv"
    blocker.mkdir()
    with pytest.raises(CommandError, match="Could not write"):
        export(tmp_path, "--organisation", "betania")
    assert AuditEntry.objects.filter(action="export", model="records.Person").count() == (
        m.Person.objects.filter(organisation__slug="betania").count()
    )


def test_bulk_audit_writes_one_entry_per_record_across_batches(demo: Programme) -> None:
    visits = m.OutreachVisit.objects.filter(organisation__slug="salvation-army-ro")
    last = log_each(visits, AuditEntry.Action.EXPORT, fields=["date", "locality"], batch=50)
    assert last == visits.order_by("-pk").values_list("pk", flat=True).first()
    logged = AuditEntry.objects.filter(action="export", model="records.OutreachVisit")
    assert sorted(logged.values_list("object_pk", flat=True)) == sorted(
        str(pk) for pk in visits.values_list("pk", flat=True)
    )
    assert {tuple(fields) for fields in logged.values_list("fields", flat=True)} == {("date", "locality")}
