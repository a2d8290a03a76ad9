"""`export-records` writes a case's file (identification, assessments, plan, follow-ups, notes) as filled-in
templates that import again unchanged, only for those who may read the organisation's cases, each record
audited."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nextsteps.accounts.models import Role
from nextsteps.audit.models import AuditEntry
from nextsteps.casework.models import CaseNote, PlannedAction
from nextsteps.identification.models import CaseIdentification
from nextsteps.imports import columns as c
from nextsteps.programmes.models import Organisation, Programme
from tests.importing import command, importer_of

pytestmark = pytest.mark.django_db
CASE_FILE = ("identifications", "assessments", "goals", "planned_actions", "follow_ups", "case_notes")


def export(tmp_path: Path, *args: str) -> None:
    command("export-records", str(tmp_path), "--programme", "next-steps", "--organisation", "ijm-ro", *args)


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig") as stream:
        return list(csv.DictReader(stream))


def test_the_case_file_is_exported_with_its_texts_lists_and_countries(
    demo: Programme, tmp_path: Path
) -> None:
    export(tmp_path)
    for key in CASE_FILE:
        assert (tmp_path / f"{key}.csv").exists(), key
    identification = (
        CaseIdentification.objects.filter(case__organisation__slug="ijm-ro").order_by("pk").first()
    )
    assert identification is not None
    row = next(
        r for r in rows(tmp_path / "identifications.csv") if r["external_id"] == identification.external_id
    )
    assert row["case"] == identification.case.external_id
    assert row["account"] == identification.account
    assert row["exploitation_types"] == "; ".join(
        sorted(t.code for t in identification.exploitation_types.all())
    )
    assert row["exploitation_countries"].replace(" ", "") == ",".join(
        c.code for c in identification.exploitation_countries
    )
    note = CaseNote.objects.filter(case__organisation__slug="ijm-ro").order_by("pk").first()
    assert note is not None
    assert {
        "external_id": note.external_id,
        "case": note.case.external_id,
        "text": note.text,
    }.items() <= next(
        r for r in rows(tmp_path / "case_notes.csv") if r["external_id"] == note.external_id
    ).items()
    action = PlannedAction.objects.filter(goal__case__organisation__slug="ijm-ro").order_by("pk").first()
    assert action is not None
    assert any(
        r["goal"] == action.goal.external_id and r["service_type"] == action.service_type.code
        for r in rows(tmp_path / "planned_actions.csv")
    )


def test_each_exported_case_file_record_is_audited(demo: Programme, tmp_path: Path) -> None:
    export(tmp_path)
    notes = {
        str(pk)
        for pk in CaseNote.objects.filter(case__organisation__slug="ijm-ro").values_list("pk", flat=True)
    }
    exported = AuditEntry.objects.filter(model="casework.CaseNote", action="export")
    assert notes and set(exported.values_list("object_pk", flat=True)) == notes


def test_the_exported_case_file_imports_again_unchanged_from_xlsx_too(
    demo: Programme, tmp_path: Path
) -> None:
    export(tmp_path, "--format", "xlsx")
    out, _err = command(
        "import",
        *(str(tmp_path / f"{key}.xlsx") for key in CASE_FILE),
        "--programme",
        "next-steps",
        "--organisation",
        "ijm-ro",
    )
    for key in CASE_FILE:
        line = next(line for line in out.splitlines() if line.startswith(f"{c.TYPES[key].label}:"))
        assert " 0 added, 0 changed," in line, line


def test_someone_who_may_not_read_cases_gets_no_case_file(demo: Programme, tmp_path: Path) -> None:
    outreach = importer_of(Organisation.objects.get(slug="ijm-ro"), Role.OUTREACH_WORKER)
    export(tmp_path, "--user", outreach.username)
    assert (tmp_path / "persons.csv").exists()
    assert not any((tmp_path / f"{key}.csv").exists() for key in CASE_FILE)
