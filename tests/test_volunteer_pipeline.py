"""A volunteer moves through a pipeline (applied, screening, training, active, paused, left) and becomes active
only once the criminal-record certificate is checked and both agreements are signed: the model's rule, on every
path (the record form, the JSON API, an import; volunteers are not in the Django admin at all)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from tests.apiclient import ApiClient
from tests.importing import run, translated, write_csv

pytestmark = pytest.mark.django_db

SCREENED = {
    "certificate_checked": dt.date(2024, 1, 8),
    "safeguarding_signed": dt.date(2024, 1, 9),
    "confidentiality_signed": dt.date(2024, 1, 9),
}


def dorcas() -> tuple[Programme, Organisation]:
    return Programme.objects.get(slug="next-steps"), Organisation.objects.get(slug="dorcas-ro")


def a_volunteer(**fields: Any) -> m.Volunteer:
    programme, organisation = dorcas()
    values = {"code": "VOL-PIPE-1", "signed_up": dt.date(2024, 1, 2), **fields}
    return actions.create_record(
        m.Volunteer, acting_user=None, programme=programme, organisation=organisation, **values
    )


def test_a_new_volunteer_starts_as_an_application() -> None:
    assert a_volunteer().stage == m.Volunteer.Stage.APPLIED


def test_a_volunteer_cannot_become_active_without_the_certificate_and_both_agreements() -> None:
    volunteer = a_volunteer(certificate_checked=dt.date(2024, 1, 8))
    with pytest.raises(ValidationError) as refused:
        actions.update_record(volunteer, acting_user=None, stage=m.Volunteer.Stage.ACTIVE)
    message = refused.value.message_dict["stage"][0]
    assert "safeguarding agreement signed on, confidentiality agreement signed on" in message
    assert "certificate" not in message.split("missing:")[1]
    assert m.Volunteer.objects.get(pk=volunteer.pk).stage == m.Volunteer.Stage.APPLIED


def test_a_screened_volunteer_becomes_active() -> None:
    volunteer = a_volunteer(**SCREENED)
    actions.update_record(volunteer, acting_user=None, stage=m.Volunteer.Stage.ACTIVE)
    assert m.Volunteer.objects.get(pk=volunteer.pk).stage == m.Volunteer.Stage.ACTIVE


def test_a_volunteer_stored_as_active_before_screening_stays_editable() -> None:
    volunteer = a_volunteer()
    m.Volunteer.objects.filter(pk=volunteer.pk).update(stage=m.Volunteer.Stage.ACTIVE)
    stored = m.Volunteer.objects.get(pk=volunteer.pk)
    actions.update_record(stored, acting_user=None, locality="Ploiești")
    assert stored.missing_for_active() == list(m.Volunteer.ACTIVE_NEEDS)


def test_a_paused_volunteer_coming_back_needs_the_screening_too() -> None:
    volunteer = a_volunteer()
    m.Volunteer.objects.filter(pk=volunteer.pk).update(stage=m.Volunteer.Stage.PAUSED)
    with pytest.raises(ValidationError):
        actions.update_record(
            m.Volunteer.objects.get(pk=volunteer.pk), acting_user=None, stage=m.Volunteer.Stage.ACTIVE
        )


@pytest.mark.parametrize("name", ["references_checked", "certificate_checked", "last_training"])
def test_screening_and_training_dates_are_neither_in_the_future_nor_before_1900(name: str) -> None:
    for wrong in (dt.date.today() + dt.timedelta(days=1), dt.date(1899, 12, 31)):
        with pytest.raises(ValidationError) as refused:
            a_volunteer(**{name: wrong})
        assert name in refused.value.message_dict


def test_the_form_refuses_an_active_volunteer_without_screening(login: Callable[[str], Client]) -> None:
    _programme, organisation = dorcas()
    before = m.Volunteer.objects.count()
    response = login("volunteers.dorcas").post(
        reverse("records:volunteer-create"),
        {"organisation": organisation.pk, "code": "VOL-FORM-1", "signed_up": "2024-01-02", "stage": "active"},
    )
    assert response.status_code == 200
    assert "Un voluntar devine activ" in response.context["form"].errors["stage"][0]
    assert m.Volunteer.objects.count() == before


def test_the_form_saves_an_active_volunteer_with_screening(login: Callable[[str], Client]) -> None:
    _programme, organisation = dorcas()
    response = login("volunteers.dorcas").post(
        reverse("records:volunteer-create"),
        {
            "organisation": organisation.pk,
            "code": "VOL-FORM-2",
            "signed_up": "2024-01-02",
            "stage": "active",
            "training_sessions": "2",
            **{name: day.isoformat() for name, day in SCREENED.items()},
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert m.Volunteer.objects.get(code="VOL-FORM-2").certificate_checked == SCREENED["certificate_checked"]


def test_the_api_refuses_an_active_volunteer_without_screening(api: Callable[[str], ApiClient]) -> None:
    response = api("volunteers.dorcas").post(
        "/api/v1/records/volunteers", {"code": "VOL-API-1", "signed_up": "2024-01-10", "stage": "active"}
    )
    assert response.status_code == 422, response.json()
    assert "stage" in response.json()["errors"]
    assert not m.Volunteer.objects.filter(code="VOL-API-1").exists()


def test_the_api_accepts_a_screened_active_volunteer(api: Callable[[str], ApiClient]) -> None:
    body = {"code": "VOL-API-2", "signed_up": "2024-01-10", "stage": "active"}
    response = api("volunteers.dorcas").post(
        "/api/v1/records/volunteers", {**body, **{k: v.isoformat() for k, v in SCREENED.items()}}
    )
    assert response.status_code == 201, response.json()


def test_an_import_names_the_empty_screening_cells_of_an_active_volunteer(tmp_path: Path) -> None:
    programme, organisation = dorcas()
    path = write_csv(
        tmp_path / "volunteers.csv",
        ["external_id", "signed_up", "status", "certificate_checked", "safeguarding_signed"],
        [["VOL-IMP-1", "2024-01-02", "active", "2024-01-05", ""]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(programme, organisation, path)
    # The missing column is named too: a volunteer new to the app has no stored date to keep.
    assert [(e.row, e.column) for e in failed.value.result.errors] == [
        (2, "status"),
        (2, "safeguarding_signed"),
    ]
    assert not m.Volunteer.objects.filter(external_id="VOL-IMP-1").exists()


def test_an_import_without_the_screening_columns_is_refused_before_writing(tmp_path: Path) -> None:
    programme, organisation = dorcas()
    path = write_csv(
        tmp_path / "volunteers.csv",
        ["external_id", "signed_up", "status"],
        [["VOL-IMP-2", "2024-01-02", "active"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(programme, organisation, path)
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(2, "status")]
    assert not m.Volunteer.objects.filter(external_id="VOL-IMP-2").exists()


def test_an_import_without_the_screening_columns_writes_none_of_its_rows(tmp_path: Path) -> None:
    # Refused while the rows were written, it used to stop part-way: the rows before it stayed written.
    programme, organisation = dorcas()
    path = write_csv(
        tmp_path / "volunteers.csv",
        ["external_id", "signed_up", "status"],
        [["VOL-IMP-6", "2024-01-02", "training"], ["VOL-IMP-7", "2024-01-02", "active"]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(programme, organisation, path)
    assert [(e.row, e.column) for e in failed.value.result.errors] == [(3, "status")]
    assert "confidentiality_signed" in failed.value.result.errors[0].message()
    assert not m.Volunteer.objects.filter(external_id__in=["VOL-IMP-6", "VOL-IMP-7"]).exists()


def test_an_import_without_the_screening_columns_keeps_a_stored_active_volunteer_active(
    tmp_path: Path,
) -> None:
    volunteer = a_volunteer(external_id="VOL-IMP-8", stage="active", **SCREENED)
    programme, organisation = dorcas()
    path = write_csv(
        tmp_path / "volunteers.csv",
        ["external_id", "code", "signed_up", "status"],
        [["VOL-IMP-8", volunteer.code, "2024-01-02", "active"]],
    )
    run(programme, organisation, path)
    volunteer.refresh_from_db()
    assert volunteer.stage == "active" and volunteer.certificate_checked == SCREENED["certificate_checked"]


def test_an_import_reads_the_former_statuses(tmp_path: Path) -> None:
    programme, organisation = dorcas()
    path = write_csv(
        tmp_path / "volunteers.csv",
        ["external_id", "signed_up", "status"],
        [
            ["VOL-IMP-3", "2024-01-02", "inactive"],
            ["VOL-IMP-4", "2024-01-02", "left"],
            ["VOL-IMP-5", "2024-01-02", "training"],
        ],
    )
    run(programme, organisation, path)
    stages = dict(
        m.Volunteer.objects.filter(external_id__startswith="VOL-IMP-").values_list("external_id", "stage")
    )
    assert stages == {"VOL-IMP-3": "paused", "VOL-IMP-4": "left", "VOL-IMP-5": "training"}


def test_an_import_makes_a_screened_volunteer_active(tmp_path: Path) -> None:
    programme, organisation = dorcas()
    path = write_csv(
        tmp_path / "volunteers.csv",
        ["external_id", "signed_up", "status", *SCREENED],
        [["VOL-IMP-6", "2024-01-02", "active", *(d.isoformat() for d in SCREENED.values())]],
    )
    run(programme, organisation, path)
    assert m.Volunteer.objects.get(external_id="VOL-IMP-6").stage == "active"


def test_volunteers_are_not_in_the_django_admin() -> None:
    # The admin is for set-up: its forms could not bypass the rule because there is no volunteer form there.
    assert m.Volunteer not in admin.site._registry
    assert m.VolunteerHours not in admin.site._registry


def test_the_volunteer_page_shows_which_screening_is_done_and_missing(login: Callable[[str], Client]) -> None:
    volunteer = a_volunteer(references_checked=dt.date(2024, 1, 5))
    page = login("volunteers.dorcas").get(reverse("records:volunteer-detail", args=[volunteer.pk]))
    sections = dict((title, items) for title, items, _url in page.context["related"])
    steps = sections[translated("ro", "Screening")]
    assert steps[0].startswith(translated("ro", "References")) and "2024" in steps[0]
    assert steps[1] == translated(
        "ro", "%(step)s: missing", step=translated("ro", "Criminal-record certificate")
    )


def test_the_volunteer_list_filters_by_stage(login: Callable[[str], Client]) -> None:
    a_volunteer(code="VOL-PIPE-T", stage=m.Volunteer.Stage.TRAINING)
    page = login("volunteers.dorcas").get(reverse("records:volunteer-list"), {"kind": "training"})
    codes = {str(row) for row in page.context["page"].object_list}
    assert "VOL-PIPE-T" in codes
    assert all(v.stage == "training" for v in page.context["page"].object_list)


def test_the_waiting_list_says_what_each_volunteer_on_the_way_still_needs(
    login: Callable[[str], Client],
) -> None:
    a_volunteer(code="VOL-WAIT-1", stage=m.Volunteer.Stage.SCREENING, certificate_checked=dt.date(2024, 1, 8))
    a_volunteer(code="VOL-WAIT-2", **SCREENED, stage=m.Volunteer.Stage.ACTIVE)
    page = login("volunteers.dorcas").get(reverse("records:volunteers-waiting"))
    rows = {volunteer.code: missing for volunteer, missing in page.context["rows"]}
    assert rows["VOL-WAIT-1"] == [
        translated("ro", "References"),
        translated("ro", "Safeguarding agreement"),
        translated("ro", "Confidentiality agreement"),
        translated("ro", "Training"),
    ]
    assert "VOL-WAIT-2" not in rows
    assert all(v.organisation.slug == "dorcas-ro" for v in m.Volunteer.objects.filter(code__in=rows))
