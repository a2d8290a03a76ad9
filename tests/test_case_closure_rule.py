"""A closed case has a closure reason on every path: the record's own rule (Case.clean), the record form, the
API and the import; the cases template carries the reason and the responsible caseworker, both ways."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from tests.casework_helpers import ijm_case, user
from tests.importing import command, run, write_csv

pytestmark = pytest.mark.django_db
CASE_COLUMNS = ["external_id", "person", "opened", "closed", "status"]


def ijm() -> Organisation:
    return Organisation.objects.get(slug="ijm-ro")


def case_row(case: m.Case, *cells: str) -> list[str]:
    closed = min(case.opened + dt.timedelta(days=30), dt.date.today()).isoformat()
    return [case.external_id, case.person.external_id, case.opened.isoformat(), closed, *cells]


def keyed_case() -> m.Case:
    case = ijm_case()
    if not case.external_id:
        m.Case.objects.filter(pk=case.pk).update(external_id=f"case-{case.pk}")
        case.refresh_from_db()
    if not case.person.external_id:
        m.Person.objects.filter(pk=case.person_id).update(external_id=f"person-{case.person_id}")
        case.refresh_from_db()
    return case


def test_the_record_refuses_a_closed_case_without_a_reason() -> None:
    case = ijm_case()
    with pytest.raises(ValidationError) as refusal:
        actions.update_record(case, acting_user=None, status="closed", closed=dt.date.today())
    assert refusal.value.message_dict == {"closure_reason": ["Choose why the case is closed."]}
    case.refresh_from_db()
    assert case.status == "open"


def test_the_record_form_refuses_closing_without_a_reason(login: Callable[[str], Client]) -> None:
    case = ijm_case()
    url = reverse("records:case-edit", args=[case.pk])
    response = login("caseworker.ijm").post(
        url,
        {
            "person": str(case.person_id),
            "opened": case.opened.isoformat(),
            "closed": dt.date.today().isoformat(),
            "status": "closed",
            "version": str(case.version),
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["closure_reason"]
    case.refresh_from_db()
    assert case.status == "open"


def test_an_import_refuses_closing_a_case_without_a_reason(demo: Programme, tmp_path: Path) -> None:
    case = keyed_case()
    empty = write_csv(
        tmp_path / "cases.csv", [*CASE_COLUMNS, "closure_reason"], [case_row(case, "closed", "")]
    )
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), empty)
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(2, "closure_reason")]
    # A file without the column closes nothing either: the reason cannot come from anywhere else.
    missing = write_csv(tmp_path / "cases_2.csv", CASE_COLUMNS, [case_row(case, "")])
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), missing, type="cases")
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(2, "closure_reason")]
    case.refresh_from_db()
    assert (case.status, case.closure_reason) == ("open", None)


def test_an_import_refuses_a_reason_for_an_open_case(demo: Programme, tmp_path: Path) -> None:
    case = keyed_case()
    row = [case.external_id, case.person.external_id, case.opened.isoformat(), "", "open", "moved_away"]
    path = write_csv(tmp_path / "cases.csv", [*CASE_COLUMNS, "closure_reason"], [row])
    with pytest.raises(ImportFailed) as failed:
        run(demo, ijm(), path)
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(2, "closure_reason")]


def test_an_import_closes_a_case_with_a_reason_in_any_language(demo: Programme, tmp_path: Path) -> None:
    case = keyed_case()
    path = write_csv(
        tmp_path / "cases.csv", [*CASE_COLUMNS, "closure_reason"], [case_row(case, "", "Contact verloren")]
    )
    run(demo, ijm(), path)
    case.refresh_from_db()
    assert (case.status, case.closure_reason.code if case.closure_reason else None) == (
        "closed",
        "lost_contact",
    )


def test_the_caseworker_must_work_on_the_organisations_cases(demo: Programme, tmp_path: Path) -> None:
    case = keyed_case()
    header = ["external_id", "person", "opened", "caseworker"]
    opened = case.opened.isoformat()
    for outsider in ("caseworker.sa", "viewer", "nobody.at.all"):
        path = write_csv(
            tmp_path / "cases.csv", header, [[case.external_id, case.person.external_id, opened, outsider]]
        )
        with pytest.raises(ImportFailed) as failed:
            run(demo, ijm(), path)
        errors = failed.value.result.errors
        assert [(e.column, e.value) for e in errors] == [("caseworker", outsider)], outsider
        assert "works on the cases of IJM" in errors[0].message()
    path = write_csv(
        tmp_path / "cases.csv",
        header,
        [[case.external_id, case.person.external_id, opened, "caseworker.ijm"]],
    )
    run(demo, ijm(), path)
    case.refresh_from_db()
    assert case.caseworker == user("caseworker.ijm")


def test_a_closed_case_with_its_reason_and_caseworker_round_trips(demo: Programme, tmp_path: Path) -> None:
    case = keyed_case()
    reason = m.ClosureReason.objects.get(code="moved_away")
    closed = min(case.opened + dt.timedelta(days=30), dt.date.today())
    for service in case.services.filter(date__gt=closed):
        service.delete()
    for outcome in case.outcomes.filter(date__gt=closed):
        outcome.delete()
    actions.update_record(
        case,
        acting_user=None,
        status="closed",
        closed=closed,
        closure_reason=reason,
        caseworker=user("caseworker.ijm"),
    )
    command("export-records", str(tmp_path), "--programme", "next-steps", "--organisation", "ijm-ro")
    with open(tmp_path / "cases.csv", encoding="utf-8-sig") as stream:
        rows = {row["external_id"]: row for row in csv.DictReader(stream)}
    assert (rows[case.external_id]["closure_reason"], rows[case.external_id]["caseworker"]) == (
        "moved_away",
        "caseworker.ijm",
    )
    m.Case.objects.filter(pk=case.pk).update(
        closure_reason=m.ClosureReason.objects.get(code="other"), caseworker=None
    )
    out, _err = command(
        "import", str(tmp_path / "cases.csv"), "--programme", "next-steps", "--organisation", "ijm-ro"
    )
    assert "1 changed" in out
    case.refresh_from_db()
    assert (case.closure_reason, case.caseworker) == (reason, user("caseworker.ijm"))
    out, _err = command(
        "import", str(tmp_path / "cases.csv"), "--programme", "next-steps", "--organisation", "ijm-ro"
    )
    assert "0 changed" in out
