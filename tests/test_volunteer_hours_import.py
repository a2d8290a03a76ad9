"""The volunteer hours template: one row per volunteer and month, the volunteer named by external id or code,
every row checked by the model's rules before anything is written, audited, and a second import of the same
file changes nothing and says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nextsteps.audit.models import AuditEntry
from nextsteps.imports.importer import ImportFailed, ImportResult
from nextsteps.imports.values import Invalid, parse_month
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from tests.importing import command, run, translated, write_csv

pytestmark = pytest.mark.django_db

HEADER = ["volunteer", "month", "hours"]
DORCAS = "dorcas-ro"


def dorcas() -> Organisation:
    return Organisation.objects.get(slug=DORCAS)


def volunteers(slug: str = DORCAS) -> list[m.Volunteer]:
    return list(m.Volunteer.objects.filter(organisation__slug=slug).order_by("pk")[:2])


def hours_of(volunteer: m.Volunteer) -> dict[dt.date, int]:
    return dict(m.VolunteerHours.objects.filter(volunteer=volunteer).values_list("month", "hours"))


def import_hours(
    tmp_path: Path, *rows: Sequence[object], name: str = "hours.csv", **options: Any
) -> ImportResult:
    path = write_csv(tmp_path / name, HEADER, rows)
    return run(Programme.objects.get(slug="next-steps"), dorcas(), path, **options)


def errors_of(tmp_path: Path, *rows: Sequence[object]) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ImportFailed) as failed:
        import_hours(tmp_path, *rows)
    return [(e.row, e.column, e.message()) for e in failed.value.result.errors]


def test_hours_are_imported_for_volunteers_named_by_code_or_external_id_and_audited(
    demo: Programme, tmp_path: Path
) -> None:
    first, second = volunteers()
    second.external_id = "VOL-EXT-2"
    second.save()
    result = import_hours(tmp_path, [first.code.lower(), "2024-03", "12"], ["VOL-EXT-2", "2024-04-17", "0"])
    assert (result.counts["volunteer_hours"].created, result.counts["volunteer_hours"].changed) == (2, 0)
    assert hours_of(first)[dt.date(2024, 3, 1)] == 12
    assert hours_of(second)[dt.date(2024, 4, 1)] == 0
    entries = AuditEntry.objects.filter(model="records.VolunteerHours", action=AuditEntry.Action.CREATE)
    new = m.VolunteerHours.objects.filter(month__in=[dt.date(2024, 3, 1), dt.date(2024, 4, 1)])
    assert {e.object_pk for e in entries} >= {str(pk) for pk in new.values_list("pk", flat=True)}
    assert {
        (e.organisation, e.user and e.user.username)
        for e in entries.filter(object_pk__in=[str(h.pk) for h in new])
    } == {(dorcas(), f"importer.coordinator.{DORCAS}")}


def test_a_second_import_of_the_same_file_changes_nothing_and_says_so(
    demo: Programme, tmp_path: Path
) -> None:
    (first, _second) = volunteers()
    path = write_csv(
        tmp_path / "hours.csv", HEADER, [[first.code, "2024-03", "12"], [first.code, "2024-04", "8"]]
    )
    args = (
        "import",
        str(path),
        "--programme",
        "next-steps",
        "--organisation",
        DORCAS,
        "--type",
        "volunteer_hours",
    )
    command(*args)
    entries = AuditEntry.objects.count()
    with translation.override("en"):
        out, _err = command(*args)
    assert "volunteer hours: 0 added, 0 changed, 2 unchanged." in out
    assert AuditEntry.objects.count() == entries


def test_a_month_already_recorded_gets_the_new_hours_audited_as_a_change(
    demo: Programme, tmp_path: Path
) -> None:
    (first, _second) = volunteers()
    import_hours(tmp_path, [first.code, "2024-03", "12"])
    result = import_hours(tmp_path, [first.code, "March 2024", "15"], name="again.csv")
    assert (result.counts["volunteer_hours"].created, result.counts["volunteer_hours"].changed) == (0, 1)
    entry = m.VolunteerHours.objects.get(volunteer=first, month=dt.date(2024, 3, 1))
    assert entry.hours == 15
    assert AuditEntry.objects.filter(
        model="records.VolunteerHours", object_pk=str(entry.pk), action=AuditEntry.Action.CHANGE
    ).exists()


def test_every_row_is_checked_by_the_models_rules_before_anything_is_written(
    demo: Programme, tmp_path: Path
) -> None:
    first, second = volunteers()
    next_month = (dt.date.today().replace(day=1) + dt.timedelta(days=32)).strftime("%Y-%m")
    before = m.VolunteerHours.objects.count()
    errors = errors_of(
        tmp_path,
        [first.code, "2024-03", "12"],
        [first.code, "2024-05", "745"],
        [first.code, "2024-06", "-1"],
        [second.code, next_month, "3"],
        [second.code, "2024-13", "3"],
        [first.code, "2024-03-20", "4"],
        ["NOBODY-1", "2024-03", "4"],
    )
    assert [(row, column) for row, column, _message in errors] == [
        (3, "hours"),
        (4, "hours"),
        (5, "month"),
        (6, "month"),
        (7, "month"),
        (8, "volunteer"),
    ]
    assert "744" in errors[0][2]
    assert errors[2][2] == "Hours cannot be recorded for a month that has not started."
    assert "earlier row" in errors[4][2]
    assert m.VolunteerHours.objects.count() == before


def test_the_current_month_may_be_given_by_any_of_its_days(demo: Programme, tmp_path: Path) -> None:
    (first, _second) = volunteers()
    today = dt.date.today()
    import_hours(tmp_path, [first.code, today.isoformat(), "2"])
    assert hours_of(first)[today.replace(day=1)] == 2


def test_another_organisations_volunteer_is_unknown_here(demo: Programme, tmp_path: Path) -> None:
    other = m.Volunteer.objects.exclude(organisation__slug=DORCAS).order_by("pk").first()
    assert other is not None
    other.external_id = "OTHER-VOL"
    other.save()
    errors = errors_of(tmp_path, [other.code, "2024-03", "1"], ["OTHER-VOL", "2024-03", "1"])
    assert [(row, column) for row, column, _message in errors] == [(2, "volunteer"), (3, "volunteer")]
    assert not m.VolunteerHours.objects.filter(volunteer=other, month=dt.date(2024, 3, 1)).exists()


def test_a_volunteer_of_the_same_import_may_be_given_hours(demo: Programme, tmp_path: Path) -> None:
    people = write_csv(
        tmp_path / "volunteers.csv",
        ["external_id", "code", "signed_up"],
        [["V-NEW", "NEWCODE", "2024-01-02"]],
    )
    hours = write_csv(
        tmp_path / "hours.csv", HEADER, [["V-NEW", "2024-02", "5"], ["newcode", "2024-03", "6"]]
    )
    run(demo, dorcas(), hours, people)
    volunteer = m.Volunteer.objects.get(organisation=dorcas(), external_id="V-NEW")
    assert hours_of(volunteer) == {dt.date(2024, 2, 1): 5, dt.date(2024, 3, 1): 6}


def test_a_workbook_month_typed_as_a_date_cell_is_read_as_its_month(demo: Programme, tmp_path: Path) -> None:
    (first, _second) = volunteers()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([first.code, dt.datetime(2024, 7, 1), 9])
    path = tmp_path / "volunteer_hours.xlsx"
    book.save(path)
    run(demo, dorcas(), path)
    assert hours_of(first)[dt.date(2024, 7, 1)] == 9


def test_users_who_may_not_change_volunteers_may_not_import_their_hours(
    demo: Programme, tmp_path: Path
) -> None:
    from nextsteps.accounts.models import Membership, Role, User

    (first, _second) = volunteers()
    user, _new = User.objects.get_or_create(username="caseworker.dorcas.hours")
    Membership.objects.get_or_create(user=user, organisation=dorcas(), role=Role.CASEWORKER)
    with pytest.raises(ImportFailed) as failed:
        import_hours(tmp_path, [first.code, "2024-03", "1"], acting_user=user)
    assert failed.value.result.errors[0].column is None
    assert not m.VolunteerHours.objects.filter(volunteer=first, month=dt.date(2024, 3, 1)).exists()


@pytest.mark.parametrize("language", ["nl", "ro"])
def test_an_unknown_volunteer_is_said_in_the_users_language(
    demo: Programme, tmp_path: Path, language: str
) -> None:
    with pytest.raises(ImportFailed) as failed:
        import_hours(tmp_path, ["NOBODY-1", "2024-03", "4"])
    (error,) = failed.value.result.errors
    with translation.override(language):
        assert error.message() == translated(
            language,
            "no volunteer with this external id or code in %(organisation)s, in the database or in this import",
            organisation=str(dorcas()),
        )


def test_the_import_page_offers_the_template_to_a_volunteer_coordinator(
    login: Callable[[str], Client], demo: Programme
) -> None:
    client = login("volunteers.dorcas")
    html = client.get(reverse("imports:index")).content.decode()
    assert reverse("imports:template", args=["volunteer_hours", "csv"]) in html
    response = client.get(reverse("imports:template", args=["volunteer_hours", "csv"]))
    header, example = response.content.decode("utf-8-sig").splitlines()
    assert header == "volunteer,month,hours"
    assert example.startswith("EXAMPLE-")
    assert client.get(reverse("imports:template", args=["volunteer_hours", "xlsx"])).status_code == 200


@pytest.mark.parametrize(
    ("cell", "month"),
    [
        ("2021-09", dt.date(2021, 9, 1)),
        ("2021-09-30", dt.date(2021, 9, 1)),
        ("septembrie 2021", dt.date(2021, 9, 1)),
        ("Sept 2021", dt.date(2021, 9, 1)),
        (dt.datetime(2021, 9, 14), dt.date(2021, 9, 1)),
    ],
)
def test_a_month_is_read_as_its_first_day(cell: object, month: dt.date) -> None:
    assert parse_month(cell) == month


@pytest.mark.parametrize("cell", ["2021-13", "September", "12", "soon"])
def test_what_is_no_month_is_refused_with_a_reason(cell: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_month(cell)
    assert refused.value.message() == "not a month; write it as YYYY-MM (for example 2021-09)"


def test_exported_hours_import_again_unchanged(demo: Programme, tmp_path: Path) -> None:
    from nextsteps.imports.export import export_records

    written = export_records(demo, dorcas(), tmp_path / "out")
    stored = m.VolunteerHours.objects.filter(volunteer__organisation=dorcas()).count()
    assert written["volunteer_hours"] == stored > 0
    result = run(demo, dorcas(), tmp_path / "out" / "volunteer_hours.csv")
    assert (result.counts["volunteer_hours"].unchanged, result.counts["volunteer_hours"].changed) == (
        stored,
        0,
    )


def test_the_number_of_queries_does_not_grow_with_the_rows(demo: Programme, tmp_path: Path) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    volunteer = volunteers()[0]
    months = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)]
    # A first import fills the caches of the process (the lists of values, the user's roles).
    run(demo, dorcas(), write_csv(tmp_path / "warm.csv", HEADER, [[volunteer.code, "2022-01", "1"]]))
    few = write_csv(tmp_path / "few.csv", HEADER, [[volunteer.code, month, "3"] for month in months[:2]])
    many = write_csv(tmp_path / "many.csv", HEADER, [[volunteer.code, month, "4"] for month in months[2:]])
    counts = []
    for path in (few, many):
        with CaptureQueriesContext(connection) as queries:
            run(demo, dorcas(), path)
        counts.append(len(queries))
    assert counts[0] == counts[1]
