"""`nextsteps export-records`: an organisation's records as filled-in templates that import again, so that the
demo exported to spreadsheets and imported into an empty database gives the same report."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from nextsteps.attachments.models import Attachment
from nextsteps.audit.models import AuditEntry
from nextsteps.casework.models import Assessment, CaseNote, FollowUp, Goal, PlannedAction
from nextsteps.identification.models import CaseIdentification
from nextsteps.privacy.models import CaseShare, Consent
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from nextsteps.referrals.models import Referral
from nextsteps.reports.builder import build_report
from nextsteps.reports.render import render
from tests.importing import command, importer_of

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)


def report(programme: Programme, lang: str) -> dict[str, object]:
    return json.loads(render(build_report(programme, START, END, lang), "json"))


def remove_all_records() -> None:
    """Leave the programme, its organisations, indicators, targets and milestones; remove every record."""
    # Stories are not imported; they stay, without the link to a person that is about to go.
    m.Story.objects.update(person=None)
    for model in (
        Attachment,
        Referral,
        Consent,
        CaseShare,
        m.VisitPerson,
        m.OutreachVisit,
        CaseIdentification,
        CaseNote,
        FollowUp,
        PlannedAction,
        Goal,
        Assessment,
        m.ServiceDelivery,
        m.Outcome,
        m.Case,
        m.Household,
        m.Activity,
        m.Volunteer,
        m.Distribution,
        m.Campaign,
        m.PartnerContact,
        m.ExternalOrganisation,
        m.Person,
    ):
        model.objects.all().delete()


def referrals() -> list[tuple[str, str, str, str, bool]]:
    return sorted(
        (
            r.from_organisation.slug,
            r.to_organisation.slug,
            r.state,
            r.case.person.code,
            r.receiving_case is not None,
        )
        for r in Referral.objects.all()
    )


def import_folders(root: Path, fmt: str = "csv") -> None:
    # In the order export-records wrote down: senders of referrals before the cases opened on them.
    order = (root / "import-order.txt").read_text(encoding="utf-8").split()
    folders = [root / slug for slug in order if (root / slug).is_dir() and any((root / slug).iterdir())]
    # Campaigns first: volunteers of every organisation name the campaign of one of them.
    for folder in folders:
        if (folder / f"campaigns.{fmt}").exists():
            command(
                "import",
                str(folder / f"campaigns.{fmt}"),
                "--programme",
                "next-steps",
                "--organisation",
                folder.name,
            )
    for folder in folders:
        files = [str(p) for p in sorted(folder.glob(f"*.{fmt}")) if p.stem != "campaigns"]
        command("import", *files, "--programme", "next-steps", "--organisation", folder.name)


CASE_FILE_MODELS = (CaseIdentification, Assessment, Goal, PlannedAction, FollowUp, CaseNote)


def case_file_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CASE_FILE_MODELS}


def case_file_texts(case_external_id: str) -> dict[str, object]:
    """What a case's file says, by the case's external id (its key survives the round trip)."""
    case = m.Case.objects.get(external_id=case_external_id)
    identification = CaseIdentification.objects.filter(case=case).first()
    return {
        "notes": sorted((n.date, n.text) for n in CaseNote.objects.filter(case=case)),
        "goals": sorted((g.text, g.status) for g in Goal.objects.filter(case=case)),
        "actions": sorted(
            (a.goal.text, a.service_type.code, a.due, a.status)
            for a in PlannedAction.objects.filter(goal__case=case)
        ),
        "follow_ups": sorted((f.what, f.due, f.done) for f in FollowUp.objects.filter(case=case)),
        "assessments": sorted(
            (
                a.date,
                a.risk_level,
                a.safety_concerns,
                a.needs_note,
                tuple(sorted(n.code for n in a.needs.all())),
            )
            for a in Assessment.objects.filter(case=case)
        ),
        "identification": identification
        and (
            identification.status,
            identification.account,
            identification.recruitment_locality,
            [c.code for c in identification.exploitation_countries],
            sorted(t.code for t in identification.exploitation_types.all()),
        ),
    }


def test_the_demo_exported_and_imported_into_an_empty_database_gives_the_same_report(
    demo: Programme, tmp_path: Path
) -> None:
    before = {lang: report(demo, lang) for lang in ("en", "nl")}
    counts = case_file_counts()
    assert all(counts.values()), counts
    referrals_before = referrals()
    assert {state for _f, _t, state, _s, _r in referrals_before} == {"declined", "completed"}
    command("export-records", str(tmp_path), "--programme", "next-steps")
    # A case with a whole file: notes, a plan and an identification.
    case = (
        m.Case.objects.filter(notes__isnull=False, goals__actions__isnull=False, identification__isnull=False)
        .order_by("pk")
        .first()
    )
    assert case is not None
    texts = case_file_texts(case.external_id)
    assert texts["notes"] and texts["identification"]
    remove_all_records()
    assert report(demo, "en") != before["en"]
    assert not m.Person.objects.exists() and not any(case_file_counts().values())
    import_folders(tmp_path)
    assert {lang: report(demo, lang) for lang in ("en", "nl")} == before
    assert case_file_counts() == counts
    assert case_file_texts(case.external_id) == texts
    # The referrals came back with their answers, and IJM's case for the woman it accepted is hers again.
    assert referrals() == referrals_before
    completed = Referral.objects.get(state="completed")
    assert completed.receiving_case is not None
    assert completed.receiving_case.person == completed.case.person
    assert sorted(completed.receiving_case.services.values_list("service_type__code", flat=True)) == [
        "legal_support",
        "return_assistance",
    ]
    assert CaseShare.objects.filter(case=completed.case, organisation=completed.to_organisation).exists()
    # Importing the same files again finds every record as it is.
    for slug in (tmp_path / "import-order.txt").read_text(encoding="utf-8").split():
        files = sorted((tmp_path / slug).glob("*.csv"))
        if files:
            out, _err = command(
                "import", *map(str, files), "--programme", "next-steps", "--organisation", slug
            )
            counted = [line for line in out.splitlines() if " added, " in line]
            assert counted and all(" 0 added, 0 changed," in line for line in counted), out


def test_the_exported_files_import_again_into_the_same_database_without_change(
    demo: Programme, tmp_path: Path
) -> None:
    command(
        "export-records", str(tmp_path), "--programme", "next-steps", "--organisation", "salvation-army-ro"
    )
    counts = (m.Person.objects.count(), m.OutreachVisit.objects.count(), m.VisitPerson.objects.count())
    out, _err = command(
        "import",
        *map(str, sorted(tmp_path.glob("*.csv"))),
        "--programme",
        "next-steps",
        "--organisation",
        "salvation-army-ro",
    )
    assert "0 added, 0 changed, 351 unchanged" in out
    assert (
        m.Person.objects.count(),
        m.OutreachVisit.objects.count(),
        m.VisitPerson.objects.count(),
    ) == counts


def test_records_without_an_external_id_get_one_and_the_audit_trail_says_so(
    demo: Programme, tmp_path: Path
) -> None:
    assert m.Volunteer.objects.filter(organisation__slug="betania", external_id="").exists()
    command("export-records", str(tmp_path), "--programme", "next-steps", "--organisation", "betania")
    volunteers = m.Volunteer.objects.filter(organisation__slug="betania")
    assert not volunteers.filter(external_id="").exists()
    volunteer = volunteers.first()
    assert volunteer is not None and volunteer.external_id == f"volunteer-{volunteer.pk}"
    assert AuditEntry.objects.filter(
        model="records.Volunteer", object_pk=str(volunteer.pk), action="change", fields=["external_id"]
    ).exists()
    assert AuditEntry.objects.filter(
        model="records.Volunteer", action="export", object_pk=str(volunteer.pk)
    ).exists()


def test_each_exported_person_level_record_shows_the_export_in_its_own_trail(
    demo: Programme, tmp_path: Path
) -> None:
    coordinator = importer_of(Organisation.objects.get(slug="dorcas-ro"))
    command(
        "export-records",
        str(tmp_path),
        "--programme",
        "next-steps",
        "--organisation",
        "dorcas-ro",
        "--user",
        coordinator.username,
        "--include-identifying",
    )
    for model, records in (
        ("records.Person", m.Person.objects.filter(organisation__slug="dorcas-ro")),
        ("records.Case", m.Case.objects.filter(programme=demo, organisation__slug="dorcas-ro")),
        (
            "records.ServiceDelivery",
            m.ServiceDelivery.objects.filter(case__organisation__slug="dorcas-ro"),
        ),
    ):
        pks = {str(pk) for pk in records.values_list("pk", flat=True)}
        assert pks
        exported = AuditEntry.objects.filter(model=model, action="export")
        assert set(exported.values_list("object_pk", flat=True)) == pks, model
        assert not exported.filter(object_pk="*").exists()
    person = m.Person.objects.filter(organisation__slug="dorcas-ro").first()
    assert person is not None
    entry = AuditEntry.objects.get(model="records.Person", object_pk=str(person.pk), action="export")
    assert entry.user == coordinator
    assert entry.organisation is not None and entry.organisation.slug == "dorcas-ro"
    assert "given_name" in entry.fields and "phone" in entry.fields
    # Records that identify nobody are audited once per file.
    assert AuditEntry.objects.filter(model="records.Activity", action="export", object_pk="*").exists()


def test_names_and_phone_numbers_stay_out_unless_asked_for(demo: Programme, tmp_path: Path) -> None:
    command(
        "export-records", str(tmp_path / "plain"), "--programme", "next-steps", "--organisation", "betania"
    )
    with open(tmp_path / "plain" / "persons.csv", encoding="utf-8-sig") as stream:
        header = next(csv.reader(stream))
    assert "given_name" not in header and "phone" not in header and "sex" in header
    command(
        "export-records",
        str(tmp_path / "full"),
        "--programme",
        "next-steps",
        "--organisation",
        "betania",
        "--include-identifying",
    )
    with open(tmp_path / "full" / "persons.csv", encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream))
    # A phone number starts with "+": in CSV with the apostrophe that keeps spreadsheets from running it.
    assert all(row["given_name"] and row["phone"].startswith("'+40") for row in rows)


def test_an_xlsx_export_imports_too(demo: Programme, tmp_path: Path) -> None:
    command(
        "export-records",
        str(tmp_path),
        "--programme",
        "next-steps",
        "--organisation",
        "dorcas-ro",
        "--format",
        "xlsx",
    )
    out, _err = command(
        "import",
        *map(str, sorted(tmp_path.glob("*.xlsx"))),
        "--programme",
        "next-steps",
        "--organisation",
        "dorcas-ro",
    )
    assert "activities: 0 added, 0 changed, 8 unchanged." in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--programme", "nowhere"], "There is no programme"),
        (["--programme", "next-steps", "--organisation", "nobody"], "There is no organisation"),
        (["--programme", "next-steps", "--format", "ods"], "Unknown format"),
    ],
)
def test_bad_input_gets_a_one_line_error(
    demo: Programme, tmp_path: Path, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        command("export-records", str(tmp_path), *args)
