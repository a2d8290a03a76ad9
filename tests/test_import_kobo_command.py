"""`nextsteps import-kobo`: submissions exported from KoboToolbox, as CSV or JSON, become the right records."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from nextsteps.records.models import Activity, OutreachVisit, Person, Volunteer
from tests import factories as f
from tests.importing import command

pytestmark = pytest.mark.django_db

UUID = "1b7c1a0e-0000-4000-8000-00000000000{}"
META = ["start", "end", "meta/instanceID", "_id", "_uuid", "_submission_time", "_validation_status", "_index"]


def kobo_csv(path: Path, fields: list[str], rows: list[list[str]]) -> Path:
    """A CSV export as Kobo writes it: semicolons, group paths, Kobo's own columns around the questions."""
    header = META[:2] + fields + META[2:]
    lines = [";".join(header)]
    for n, row in enumerate(rows, start=1):
        uuid = UUID.format(n)
        meta = ["2021-09-08T10:00:00.000+03:00", "2021-09-08T10:20:00.000+03:00"]
        tail = [f"uuid:{uuid}", str(100 + n), uuid, "2021-09-08T07:21:00", "", str(n)]
        lines.append(";".join(meta + row + tail))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scope() -> tuple[str, str]:
    org = f.organisation()
    prog = f.programme(org)
    for code in ("BUC-1", "BUC-2", "BUC-3"):
        f.person(org, external_id=code)
    return prog.slug, org.slug


def test_an_outreach_visit_export_becomes_visits_with_the_persons_reached(tmp_path: Path) -> None:
    prog, org = scope()
    path = kobo_csv(
        tmp_path / "outreach.csv",
        [
            "group_visit/visit_date",
            "group_visit/locality",
            "group_visit/site_type",
            "household_id",
            "persons_reached",
        ],
        [
            ["2021-09-08", "Oradea", "homeless_shelter", "", "BUC-1 BUC-2"],
            ["2021-09-09", "Oradea", "street", "", "BUC-3"],
        ],
    )
    out, _err = command(
        "import-kobo", str(path), "--programme", prog, "--organisation", org, "--form", "outreach_visit"
    )
    assert "2 added" in out
    visits = OutreachVisit.objects.filter(programme__slug=prog).order_by("date")
    assert [(v.external_id, v.date, v.site_type.code) for v in visits] == [
        (UUID.format(1), dt.date(2021, 9, 8), "homeless_shelter"),
        (UUID.format(2), dt.date(2021, 9, 9), "street"),
    ]
    assert sorted(visits[0].persons.values_list("external_id", flat=True)) == ["BUC-1", "BUC-2"]
    # The same export again: the submissions' uuids find their visits.
    out, _err = command(
        "import-kobo", str(path), "--programme", prog, "--organisation", org, "--form", "outreach_visit"
    )
    assert "0 added, 0 changed, 2 unchanged" in out
    assert visits.count() == 2


def test_an_activity_export_in_json_becomes_activities_with_attendance(tmp_path: Path) -> None:
    prog, org = scope()
    submission = {
        "_id": 7,
        "_uuid": UUID.format(7),
        "meta/instanceID": f"uuid:{UUID.format(7)}",
        "activity_type": "school_session",
        "title": "Sesiune la liceu",
        "activity_date": "2021-10-05",
        "locality": "Ploiești",
        "attendance_girls": "20",
        "attendance_boys": "15",
        "attendance_total": "37",
        "participant_groups": "pupils teachers",
    }
    path = tmp_path / "activities.json"
    path.write_text(json.dumps({"count": 1, "results": [submission]}), encoding="utf-8")
    command(
        "import-kobo", str(path), "--programme", prog, "--organisation", org, "--form", "activity_attendance"
    )
    activity = Activity.objects.get(programme__slug=prog)
    assert (activity.external_id, activity.attendance_total, activity.attendance_girls) == (
        UUID.format(7),
        37,
        20,
    )
    assert activity.attendance_women is None
    assert sorted(activity.participant_groups.values_list("code", flat=True)) == ["pupils", "teachers"]


def test_a_volunteer_sign_up_without_consent_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    prog, org = scope()
    records = [
        {
            "_uuid": UUID.format(1),
            "signed_up": "2021-11-20",
            "volunteer_name": "Elena",
            "phone": "0700",
            "consent": "yes",
        },
        {"_uuid": UUID.format(2), "signed_up": "2021-11-21", "volunteer_name": "Ion", "consent": "no"},
    ]
    path = tmp_path / "volunteers.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CommandError, match="1"):
        command(
            "import-kobo", str(path), "--programme", prog, "--organisation", org, "--form", "volunteer_signup"
        )
    assert not Volunteer.objects.filter(programme__slug=prog).exists()
    records.pop()
    path.write_text(json.dumps(records), encoding="utf-8")
    command(
        "import-kobo", str(path), "--programme", prog, "--organisation", org, "--form", "volunteer_signup"
    )
    volunteer = Volunteer.objects.get(programme__slug=prog)
    assert (volunteer.code, volunteer.name, volunteer.signed_up) == (
        UUID.format(1),
        "Elena",
        dt.date(2021, 11, 20),
    )


def test_submissions_a_reviewer_rejected_are_left_out(tmp_path: Path) -> None:
    prog, org = scope()
    records = [
        {"_uuid": UUID.format(1), "visit_date": "2021-09-08", "locality": "Iași", "site_type": "street"},
        {
            "_uuid": UUID.format(2),
            "visit_date": "2021-09-09",
            "locality": "Iași",
            "site_type": "street",
            "_validation_status": {"uid": "validation_status_not_approved"},
        },
    ]
    path = tmp_path / "visits.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    command("import-kobo", str(path), "--programme", prog, "--organisation", org, "--form", "outreach_visit")
    assert list(OutreachVisit.objects.filter(programme__slug=prog).values_list("external_id", flat=True)) == [
        UUID.format(1)
    ]


def test_persons_of_another_organisation_are_refused(tmp_path: Path) -> None:
    prog, org = scope()
    other = f.organisation()
    f.person(other, external_id="THEIRS-1")
    records = [
        {
            "_uuid": UUID.format(1),
            "visit_date": "2021-09-08",
            "locality": "Iași",
            "site_type": "street",
            "persons_reached": "THEIRS-1",
        }
    ]
    path = tmp_path / "visits.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(CommandError):
        command(
            "import-kobo", str(path), "--programme", prog, "--organisation", org, "--form", "outreach_visit"
        )
    assert not OutreachVisit.objects.filter(programme__slug=prog).exists()
    assert Person.objects.get(external_id="THEIRS-1").visits.count() == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            '{"results": [{"_uuid": "x", "title": "t"}]}',
            "e.json",
            "is it an export of the outreach_visit form",
        ),
        ("{not json", "e.json", "not valid JSON"),
        ("a;b\n1;2\n", "e.xlsx", "neither"),
    ],
)
def test_an_export_of_the_wrong_kind_gets_a_one_line_error(
    tmp_path: Path, content: str, name: str, message: str
) -> None:
    prog, org = scope()
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        command(
            "import-kobo", str(path), "--programme", prog, "--organisation", org, "--form", "outreach_visit"
        )
