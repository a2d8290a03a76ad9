"""Importing a case's file: identifications, assessments, goals, planned actions, follow-ups and notes, each
keyed by its external id within the organisation and naming its case; the records' own rules apply as on
the pages, and cells of identifying columns are never quoted in the error list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nextsteps.accounts.models import Role
from nextsteps.casework.models import Assessment, CaseNote, FollowUp, Goal, PlannedAction
from nextsteps.identification.models import CaseIdentification
from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from tests.importing import importer_of, run, write_csv

pytestmark = pytest.mark.django_db


def ijm() -> Organisation:
    return Organisation.objects.get(slug="ijm-ro")


def open_case(survivor_status: str = "presumed") -> m.Case:
    """An open case of the organisation without an identification, keyed, its person of that status."""
    case = (
        m.Case.objects.filter(organisation__slug="ijm-ro", status="open", identification__isnull=True)
        .order_by("opened", "pk")
        .first()
    )
    assert case is not None
    m.Case.objects.filter(pk=case.pk).update(external_id=f"K-{case.pk}")
    m.Person.objects.filter(pk=case.person_id).update(survivor_status=survivor_status)
    case.refresh_from_db()
    return case


def day(case: m.Case, days: int = 3) -> str:
    return min(case.opened + dt.timedelta(days=days), dt.date.today()).isoformat()


IDENTIFICATION = [
    "external_id",
    "case",
    "status",
    "exploitation_types",
    "labour_sector",
    "recruitment_countries",
    "exploitation_countries",
    "recruitment_locality",
    "means_of_control",
    "account",
]


def case_file(tmp_path: Path, case: m.Case) -> list[Path]:
    return [
        write_csv(
            tmp_path / "identifications.csv",
            IDENTIFICATION,
            [
                [
                    "ID-1",
                    case.external_id,
                    "presumed",
                    "forced_labour; sexual_exploitation",
                    "agriculture",
                    "ro",
                    "DE, nl",
                    "Satu Nou",
                    "debt_bondage",
                    "She was promised work on a farm.",
                ]
            ],
        ),
        write_csv(
            tmp_path / "assessments.csv",
            ["external_id", "case", "date", "risk_level", "safety_concerns", "needs", "needs_note"],
            [["AS-1", case.external_id, day(case), "high", "The recruiter calls", "housing; legal", "Soon"]],
        ),
        write_csv(
            tmp_path / "goals.csv",
            ["external_id", "case", "text", "status"],
            [["G-1", case.external_id, "Find paid work", "open"]],
        ),
        write_csv(
            tmp_path / "planned_actions.csv",
            ["external_id", "goal", "service_type", "due", "status", "partner"],
            [["PA-1", "G-1", "vocational_training", day(case, 40), "planned", ""]],
        ),
        write_csv(
            tmp_path / "follow_ups.csv",
            ["external_id", "case", "what", "due", "done"],
            [["F-1", case.external_id, "Call the lawyer", day(case, 10), ""]],
        ),
        write_csv(
            tmp_path / "case_notes.csv",
            ["external_id", "case", "date", "text"],
            [["N-1", case.external_id, day(case), "First meeting at the shelter."]],
        ),
    ]


def test_a_whole_case_file_imports_and_a_second_import_changes_nothing(
    demo: Programme, tmp_path: Path
) -> None:
    case = open_case()
    files = case_file(tmp_path, case)
    result = run(demo, ijm(), *files)
    created = {key: counts.created for key, counts in result.counts.items()}
    assert created == {
        "identifications": 1,
        "assessments": 1,
        "goals": 1,
        "planned_actions": 1,
        "follow_ups": 1,
        "case_notes": 1,
    }
    identification = CaseIdentification.objects.get(case=case)
    assert identification.external_id == "ID-1"
    assert sorted(t.code for t in identification.exploitation_types.all()) == [
        "forced_labour",
        "sexual_exploitation",
    ]
    assert [c.code for c in identification.recruitment_countries] == ["RO"]
    assert [c.code for c in identification.exploitation_countries] == ["DE", "NL"]
    assert identification.recruitment_locality == "Satu Nou"
    assert identification.account == "She was promised work on a farm."
    assessment = Assessment.objects.get(case=case, external_id="AS-1")
    assert (assessment.risk_level, assessment.safety_concerns) == ("high", "The recruiter calls")
    assert sorted(n.code for n in assessment.needs.all()) == ["housing", "legal"]
    importer = importer_of(ijm())
    assert assessment.author == importer
    action = PlannedAction.objects.get(external_id="PA-1")
    assert (action.goal.text, action.goal.case, action.service_type.code) == (
        "Find paid work",
        case,
        "vocational_training",
    )
    assert FollowUp.objects.get(case=case, external_id="F-1").what == "Call the lawyer"
    note = CaseNote.objects.get(case=case, external_id="N-1")
    assert (note.text, note.author) == ("First meeting at the shelter.", importer)

    again = run(demo, ijm(), *files)
    assert {key: (c.created, c.changed) for key, c in again.counts.items()} == {
        key: (0, 0) for key in created
    }


def test_a_row_updates_the_record_with_its_external_id(demo: Programme, tmp_path: Path) -> None:
    case = open_case()
    run(demo, ijm(), *case_file(tmp_path, case))
    path = write_csv(
        tmp_path / "goals.csv",
        ["external_id", "case", "text", "status"],
        [["G-1", case.external_id, "Find paid work", "reached"]],
    )
    result = run(demo, ijm(), path)
    assert (result.counts["goals"].changed, Goal.objects.get(external_id="G-1").status) == (1, "reached")
    assert Goal.objects.filter(case=case, external_id="G-1").count() == 1


def test_a_note_dated_before_the_case_opened_is_refused_as_on_the_page(
    demo: Programme, tmp_path: Path
) -> None:
    case = open_case()
    before = (case.opened - dt.timedelta(days=1)).isoformat()
    goals = write_csv(
        tmp_path / "goals.csv", ["external_id", "case", "text"], [["G-9", case.external_id, "Work"]]
    )
    notes = write_csv(
        tmp_path / "case_notes.csv",
        ["external_id", "case", "date", "text"],
        [["N-9", case.external_id, before, "Early"]],
    )
    follow_ups = write_csv(
        tmp_path / "follow_ups.csv",
        ["external_id", "case", "what", "due"],
        [["F-9", case.external_id, "x", before]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), goals, notes, follow_ups)
    errors = failed.value.result.errors
    # Found while the files are checked: nothing of the import is written, not even the valid goal.
    assert [(e.file, e.row, e.column, e.value) for e in errors] == [
        ("follow_ups.csv", 2, "due", before),
        ("case_notes.csv", 2, "date", before),
    ]
    assert "this date is before it" in errors[0].message()
    assert not CaseNote.objects.filter(external_id="N-9").exists()
    assert not Goal.objects.filter(external_id="G-9").exists()


def test_a_case_closed_before_a_note_refuses_it(demo: Programme, tmp_path: Path) -> None:
    case = open_case()
    closed = case.opened + dt.timedelta(days=1)
    if closed > dt.date.today():
        pytest.skip("the case opened today")
    m.Case.objects.filter(pk=case.pk).update(
        status="closed", closed=closed, closure_reason=m.ClosureReason.objects.get(code="other")
    )
    after = (closed + dt.timedelta(days=1)).isoformat()
    notes = write_csv(
        tmp_path / "case_notes.csv",
        ["external_id", "case", "date", "text"],
        [["N-9", case.external_id, after, "x"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), notes)
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(2, "date")]
    assert "this date is after it" in failed.value.result.errors[0].message()


def test_dates_in_the_future_are_refused_before_anything_is_written(demo: Programme, tmp_path: Path) -> None:
    case = open_case()
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    notes = write_csv(
        tmp_path / "case_notes.csv",
        ["external_id", "case", "date", "text"],
        [["N-1", case.external_id, future, "x"]],
    )
    follow_ups = write_csv(
        tmp_path / "follow_ups.csv",
        ["external_id", "case", "what", "due", "done"],
        [["F-1", case.external_id, "y", future, future]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), notes, follow_ups)
    assert [(e.file, e.column) for e in failed.value.result.errors] == [
        ("follow_ups.csv", "done"),
        ("case_notes.csv", "date"),
    ]


def test_an_identification_that_contradicts_the_survivor_status_is_refused(
    demo: Programme, tmp_path: Path
) -> None:
    case = open_case(survivor_status="no")
    path = write_csv(
        tmp_path / "identifications.csv",
        ["external_id", "case", "status"],
        [["ID-1", case.external_id, "presumed"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), path)
    errors = failed.value.result.errors
    assert [(e.row, e.column, e.value) for e in errors] == [(2, "status", "presumed")]
    assert "change one of them first so that they agree" in errors[0].message()
    assert not CaseIdentification.objects.filter(case=case).exists()
    # The same import may change the person's status first: then they agree.
    person = case.person
    if not person.external_id:
        m.Person.objects.filter(pk=person.pk).update(external_id=f"person-{person.pk}")
        person.refresh_from_db()
    persons = write_csv(
        tmp_path / "persons.csv", ["external_id", "survivor_status"], [[person.external_id, "presumed"]]
    )
    run(demo, ijm(), persons, path)
    assert CaseIdentification.objects.get(case=case).status == "presumed"


def test_a_labour_sector_needs_forced_labour(demo: Programme, tmp_path: Path) -> None:
    case = open_case()
    path = write_csv(
        tmp_path / "identifications.csv",
        ["external_id", "case", "status", "exploitation_types", "labour_sector"],
        [["ID-1", case.external_id, "presumed", "sexual_exploitation", "agriculture"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), path)
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(2, "labour_sector")]


def test_a_case_gets_one_identification(demo: Programme, tmp_path: Path) -> None:
    case = open_case()
    header = ["external_id", "case", "status"]
    twice = write_csv(
        tmp_path / "identifications.csv",
        header,
        [["ID-1", case.external_id, "presumed"], ["ID-2", case.external_id, "presumed"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), twice)
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(3, "case")]
    run(
        demo,
        ijm(),
        write_csv(tmp_path / "identifications.csv", header, [["ID-1", case.external_id, "presumed"]]),
    )
    # Refused while the files are checked, before anything of the import is written.
    notes = write_csv(
        tmp_path / "case_notes.csv",
        ["external_id", "case", "date", "text"],
        [["N-5", case.external_id, day(case), "x"]],
    )
    second = write_csv(tmp_path / "identifications.csv", header, [["ID-2", case.external_id, "identified"]])
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), second, notes)
    errors = failed.value.result.errors
    assert [(e.file, e.row, e.column) for e in errors] == [("identifications.csv", 2, "case")]
    assert "already has an identification, with the external id ID-1" in errors[0].message()
    assert CaseIdentification.objects.get(case=case).status == "presumed"
    assert not CaseNote.objects.filter(external_id="N-5").exists()


def test_identifying_cells_are_never_quoted_in_the_errors(demo: Programme, tmp_path: Path) -> None:
    case = open_case()
    secret = "Strada Secretă " * 10
    path = write_csv(
        tmp_path / "identifications.csv",
        ["external_id", "case", "status", "recruitment_locality", "recruitment_countries"],
        [["ID-1", case.external_id, "presumed", secret, "XX"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), path)
    errors = {e.column: e.value for e in failed.value.result.errors}
    assert errors == {"recruitment_locality": "", "recruitment_countries": "XX"}
    assert all("Secretă" not in e.line() for e in failed.value.result.errors)


def test_a_case_of_another_organisation_is_not_found(demo: Programme, tmp_path: Path) -> None:
    other = m.Case.objects.exclude(organisation__slug="ijm-ro").order_by("pk").first()
    assert other is not None
    m.Case.objects.filter(pk=other.pk).update(external_id=f"K-{other.pk}")
    other.refresh_from_db()
    path = write_csv(
        tmp_path / "case_notes.csv",
        ["external_id", "case", "date", "text"],
        [["N-1", other.external_id, day(other), "x"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), path)
    assert [(e.column, e.value) for e in failed.value.result.errors] == [("case", other.external_id)]
    assert "no case with this external id in IJM" in failed.value.result.errors[0].message()


def test_a_partner_must_be_a_known_external_organisation(demo: Programme, tmp_path: Path) -> None:
    case = open_case()
    known = m.ExternalOrganisation.objects.order_by("pk").first()
    assert known is not None
    header = ["external_id", "goal", "service_type", "partner"]
    goals = write_csv(
        tmp_path / "goals.csv", ["external_id", "case", "text"], [["G-1", case.external_id, "Work"]]
    )
    unknown = write_csv(
        tmp_path / "planned_actions.csv", header, [["PA-1", "G-1", "legal_support", "Nobody Ltd"]]
    )
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), goals, unknown)
    assert [(e.column, e.value) for e in failed.value.result.errors] == [("partner", "Nobody Ltd")]
    good = write_csv(tmp_path / "planned_actions.csv", header, [["PA-1", "G-1", "legal_support", known.name]])
    run(demo, ijm(), goals, good)
    assert PlannedAction.objects.get(external_id="PA-1").partner == known


def test_only_those_who_change_cases_may_import_a_case_file(demo: Programme, tmp_path: Path) -> None:
    case = open_case()
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), *case_file(tmp_path, case), acting_user=importer_of(ijm(), Role.VIEWER))
    assert {e.file for e in failed.value.result.errors} == {
        "identifications.csv",
        "assessments.csv",
        "goals.csv",
        "planned_actions.csv",
        "follow_ups.csv",
        "case_notes.csv",
    }
    assert not CaseNote.objects.filter(case=case, external_id="N-1").exists()


def test_erasing_the_person_empties_the_external_ids_of_her_case_file(
    demo: Programme, tmp_path: Path
) -> None:
    from nextsteps.privacy.erasure import erase_person

    case = open_case()
    run(demo, ijm(), *case_file(tmp_path, case))
    erase_person(case.person, acting_user=None)
    for model in (CaseIdentification, Assessment, Goal, FollowUp, CaseNote):
        assert list(model.objects.filter(case=case).values_list("external_id", flat=True)) == [""], model
    assert list(PlannedAction.objects.filter(goal__case=case).values_list("external_id", flat=True)) == [""]
