"""A count above the programme's `unusual_count` (but within the hard limit) is possible yet rare: the record
pages ask for confirmation before saving it, the JSON API saves it (it keeps only the hard limit), and an
import lists the row in its summary as a warning."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.imports.cli import summary
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from nextsteps.records.rules import MAX_COUNT, unusual_counts
from tests.apiclient import ApiClient
from tests.importing import command, run, write_csv

pytestmark = pytest.mark.django_db

ASKS = "%(value)s is unusually high for this programme (more than %(limit)s): check it, and tick the confirmation to save it anyway."

# kind, the model, the count field, a persona who edits it.
COUNTED = [
    ("activity", m.Activity, "attendance_total", "prevention.dorcas"),
    ("distribution", m.Distribution, "quantity", "volunteers.dorcas"),
]


def romanian(message: str, **values: Any) -> str:
    with translation.override("ro"):
        return gettext(message) % values


def a_record(model: Any) -> Any:
    records = model.objects.filter(organisation__slug="dorcas-ro")
    if model is m.Distribution:
        records = records.filter(campaign__isnull=True)
    return records.first()


def form_data(client: Client, url: str) -> dict[str, Any]:
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    return {k: ([x.pk for x in v] if isinstance(v, list) else v) for k, v in data.items()}


@pytest.mark.parametrize(("kind", "model", "field", "persona"), COUNTED)
def test_the_record_form_asks_before_saving_an_unusual_count_and_saves_it_once_confirmed(
    login: Callable[[str], Client], kind: str, model: Any, field: str, persona: str
) -> None:
    record = a_record(model)
    limit = record.programme.unusual_count
    client = login(persona)
    url = reverse(f"records:{kind}-edit", args=[record.pk])
    data = {**form_data(client, url), field: limit + 1}
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [romanian(ASKS, value=limit + 1, limit=limit)]
    assert 'type="checkbox" name="confirm_unusual"' in response.content.decode()
    record.refresh_from_db()
    assert getattr(record, field) != limit + 1

    response = client.post(url, {**data, "confirm_unusual": "on"})
    assert response.status_code == 302, response.context["form"].errors
    record.refresh_from_db()
    assert getattr(record, field) == limit + 1


def test_an_unusual_count_confirmed_before_is_not_asked_about_again(login: Callable[[str], Client]) -> None:
    record = a_record(m.Distribution)
    value = record.programme.unusual_count + 10
    m.Distribution.objects.filter(pk=record.pk).update(quantity=value)
    client = login("volunteers.dorcas")
    url = reverse("records:distribution-edit", args=[record.pk])
    data = form_data(client, url)
    assert data["quantity"] == value
    response = client.post(url, {**data, "locality": "Another village"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.quantity == value


@pytest.mark.parametrize(("kind", "model", "field", "persona"), COUNTED)
def test_a_count_at_the_threshold_is_saved_without_asking(
    login: Callable[[str], Client], kind: str, model: Any, field: str, persona: str
) -> None:
    record = a_record(model)
    limit = record.programme.unusual_count
    client = login(persona)
    url = reverse(f"records:{kind}-edit", args=[record.pk])
    response = client.post(url, {**form_data(client, url), field: limit})
    assert response.status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == limit
    assert unusual_counts(record) == []


def test_the_threshold_is_the_programmes_own(login: Callable[[str], Client]) -> None:
    record = a_record(m.Activity)
    Programme.objects.filter(pk=record.programme_id).update(unusual_count=50)
    client = login("prevention.dorcas")
    url = reverse("records:activity-edit", args=[record.pk])
    response = client.post(url, {**form_data(client, url), "attendance_total": 60})
    assert response.context["form"].errors["attendance_total"] == [romanian(ASKS, value=60, limit=50)]
    record.refresh_from_db()
    assert record.attendance_total != 60


def test_the_record_form_for_a_new_record_asks_too(login: Callable[[str], Client]) -> None:
    record = a_record(m.Distribution)
    client = login("volunteers.dorcas")
    data = form_data(client, reverse("records:distribution-edit", args=[record.pk]))
    data = {k: v for k, v in data.items() if k != "version"} | {"quantity": MAX_COUNT}
    before = m.Distribution.objects.count()
    response = client.post(reverse("records:distribution-create"), data)
    assert response.status_code == 200
    assert "quantity" in response.context["form"].errors
    assert m.Distribution.objects.count() == before


@pytest.mark.parametrize(("kind", "model", "field", "persona"), COUNTED)
def test_the_api_saves_an_unusual_count_without_asking(
    api: Callable[[str], ApiClient], kind: str, model: Any, field: str, persona: str
) -> None:
    record = a_record(model)
    value = record.programme.unusual_count + 1
    plural = {"activity": "activities", "distribution": "distributions"}[kind]
    response = api(persona).patch(f"/api/v1/records/{plural}/{record.pk}", {field: value})
    assert response.status_code == 200, response.json()
    record.refresh_from_db()
    assert getattr(record, field) == value
    assert unusual_counts(record) == [(field, value)]


def test_a_caseworker_of_another_organisation_cannot_open_the_form(login: Callable[[str], Client]) -> None:
    record = a_record(m.Activity)
    response = login("caseworker.sa").get(reverse("records:activity-edit", args=[record.pk]))
    assert response.status_code == 404


ACTIVITY_HEADER = ["external_id", "activity_type", "title", "date", "locality", "attendance_total"]


def activity_rows(count: int, attendance: int) -> list[list[str]]:
    activity_type = m.ActivityType.objects.first()
    assert activity_type is not None
    return [
        [f"UNUSUAL-{i}", activity_type.code, "School session", "2021-10-01", "Bucharest", str(attendance)]
        for i in range(count)
    ]


def test_an_import_writes_a_row_with_an_unusual_count_and_lists_it_in_its_summary(tmp_path: Path) -> None:
    programme = Programme.objects.get(slug="next-steps")
    dorcas = Organisation.objects.get(slug="dorcas-ro")
    limit = programme.unusual_count
    rows = [*activity_rows(1, limit), ["UNUSUAL-X", *activity_rows(1, limit + 1)[0][1:]]]
    path = write_csv(tmp_path / "activities.csv", ACTIVITY_HEADER, rows)
    result = run(programme, dorcas, path)
    assert m.Activity.objects.get(external_id="UNUSUAL-X", organisation=dorcas).attendance_total == limit + 1
    assert m.Activity.objects.get(external_id="UNUSUAL-0", organisation=dorcas).attendance_total == limit
    assert result.ok
    assert [(w.file, w.row, w.column, w.value) for w in result.warnings] == [
        ("activities.csv", 3, "attendance_total", str(limit + 1))
    ]
    with translation.override("ro"):
        lines = summary(result)
        assert (
            gettext("Warning: %(count)s count is unusually high for this programme: check it.")
            % {"count": "1"}
            in lines
        )
        assert result.warnings[0].line() in lines
        assert str(limit + 1) in result.warnings[0].line()


def test_the_import_command_prints_the_unusual_rows_after_its_summary(tmp_path: Path) -> None:
    programme = Programme.objects.get(slug="next-steps")
    high = programme.unusual_count + 1
    path = write_csv(tmp_path / "activities.csv", ACTIVITY_HEADER, activity_rows(1, high))
    out, _err = command("import", str(path), "--programme", programme.slug, "--organisation", "dorcas-ro")
    assert "Warning: 1 count is unusually high for this programme: check it." in out
    assert f"activities.csv, row 2, column “attendance_total”, value “{high}”" in out
    assert m.Activity.objects.filter(external_id="UNUSUAL-0", attendance_total=high).exists()


def test_an_import_without_unusual_counts_has_no_warning(tmp_path: Path) -> None:
    programme = Programme.objects.get(slug="next-steps")
    path = write_csv(tmp_path / "activities.csv", ACTIVITY_HEADER, activity_rows(2, 30))
    result = run(programme, Organisation.objects.get(slug="dorcas-ro"), path)
    assert result.warnings == [] and result.warning_count == 0
    assert not any("unusual" in line for line in summary(result))


def test_an_import_finds_unusual_counts_with_the_same_queries_however_many_rows(tmp_path: Path) -> None:
    programme = Programme.objects.get(slug="next-steps")
    dorcas = Organisation.objects.get(slug="dorcas-ro")
    high = programme.unusual_count + 5

    def queries(count: int, name: str) -> int:
        path = write_csv(tmp_path / f"{name}.csv", ACTIVITY_HEADER, activity_rows(count, high))
        m.Activity.objects.filter(external_id__startswith="UNUSUAL-").delete()
        with CaptureQueriesContext(connection) as captured:
            result = run(programme, dorcas, path)
        assert result.warning_count == count
        return len(captured)

    queries(1, "warm")  # the first import creates the importing user and fills caches
    assert queries(2, "few") == queries(20, "many")


def test_operators_set_the_unusual_count_with_the_programmes_other_settings() -> None:
    from django.contrib import admin
    from django.contrib.admin.utils import flatten_fieldsets
    from django.test import RequestFactory

    programme_admin = admin.site._registry[Programme]
    fields = flatten_fieldsets(programme_admin.get_fieldsets(RequestFactory().get("/")))
    assert "unusual_count" in fields
    assert Programme._meta.get_field("unusual_count").default == 1000
