"""An import acts as a user: rows may only add or change records of kinds the user's role in the
organisation may write, and every write names the user in the audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.imports import rights
from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records.models import OutreachVisit, Person
from tests.importing import command, run, write_csv

pytestmark = pytest.mark.django_db

VISITS = (["external_id", "date", "locality", "site_type"], [["RV-1", "2021-08-03", "Iași", "street"]])
PERSONS = (["external_id", "sex", "birth_year"], [["RP-1", "female", "1990"], ["RP-2", "male", "1985"]])


def test_a_caseworker_may_not_import_outreach_visits_and_every_row_says_so(
    demo: Programme, tmp_path: Path
) -> None:
    org = Organisation.objects.get(slug="salvation-army-ro")
    path = write_csv(tmp_path / "outreach_visits.csv", *VISITS)
    with pytest.raises(ImportFailed) as failed:
        run(demo, org, path, acting_user=User.objects.get(username="caseworker.sa"))
    assert [(e.file, e.row, e.column) for e in failed.value.result.errors] == [
        ("outreach_visits.csv", 2, None)
    ]
    assert "you may not add or change outreach visits of" in failed.value.result.errors[0].line()
    assert not OutreachVisit.objects.filter(external_id="RV-1").exists()


def test_nobody_imports_into_an_organisation_where_they_have_no_role(demo: Programme, tmp_path: Path) -> None:
    theirs = Organisation.objects.get(slug="ijm-ro")
    path = write_csv(tmp_path / "persons.csv", *PERSONS)
    with pytest.raises(ImportFailed) as failed:
        run(demo, theirs, path, acting_user=User.objects.get(username="caseworker.sa"))
    assert [e.row for e in failed.value.result.errors] == [2, 3]
    assert not Person.objects.filter(external_id__in=["RP-1", "RP-2"]).exists()


def test_a_role_that_writes_the_kind_imports_it_and_the_audit_names_the_user(
    demo: Programme, tmp_path: Path
) -> None:
    org = Organisation.objects.get(slug="salvation-army-ro")
    path = write_csv(tmp_path / "outreach_visits.csv", *VISITS)
    out, _err = command(
        "import", str(path), "--programme", demo.slug, "--organisation", org.slug, "--user", "outreach.sa"
    )
    visit = OutreachVisit.objects.get(organisation=org, external_id="RV-1")
    entry = AuditEntry.objects.get(model="records.OutreachVisit", object_pk=str(visit.pk))
    assert (entry.action, entry.user.username if entry.user else None) == ("create", "outreach.sa")
    assert "1 added" in out


def test_the_command_refuses_a_viewer_and_writes_nothing(demo: Programme, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "persons.csv", *PERSONS)
    with pytest.raises(CommandError, match="2 errors; nothing was written"):
        command(
            "import",
            str(path),
            "--programme",
            demo.slug,
            "--organisation",
            "next-steps-nl",
            "--user",
            "viewer",
        )
    assert not Person.objects.filter(external_id__in=["RP-1", "RP-2"]).exists()


def test_the_command_needs_a_user(demo: Programme, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "persons.csv", *PERSONS)
    with pytest.raises(CommandError, match="--user"):
        command("import", str(path), "--programme", demo.slug, "--organisation", "next-steps-nl", "--user")


def test_the_import_rights_follow_the_roles(demo: Programme) -> None:
    sa = Organisation.objects.get(slug="salvation-army-ro").pk
    caseworker = User.objects.get(username="caseworker.sa")
    assert [t.key for t in rights.importable_types(caseworker, sa)] == [
        "persons",
        "consents",
        "cases",
        "services",
        "outcomes",
        "identifications",
        "assessments",
        "goals",
        "planned_actions",
        "follow_ups",
        "case_notes",
        "referrals",
    ]
    outreach = User.objects.get(username="outreach.sa")
    assert {t.key for t in rights.importable_types(outreach, sa)} == {
        "persons",
        "households",
        "household_members",
        "outreach_visits",
        "visit_persons",
        # Who may change a person records the person's consents, on the page as in a file.
        "consents",
    }
    assert rights.import_organisations(User.objects.get(username="viewer")) == []
    assert rights.import_organisations(User.objects.get(username="dpo")) == []
    assert rights.import_organisations(caseworker) == [sa]
