"""A record's date is neither in the future nor before 1900, and its counts stay at or under 100,000, on every
path that saves it: the record form, the JSON API and an import. The rules are declared on the models
(nextsteps/records/rules.py); these tests prove that no path skips them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from nextsteps.records.rules import MAX_COUNT
from tests.apiclient import ApiClient
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db

TOMORROW = dt.date.today() + dt.timedelta(days=1)

# kind (records/kinds.py), its model, the date field, a persona of an organisation that records it.
DATED = [
    ("activity", "records.Activity", "date", "prevention.dorcas", "dorcas-ro", "An activity cannot be dated in the future."),
    ("distribution", "records.Distribution", "date", "volunteers.dorcas", "dorcas-ro", "A distribution cannot be dated in the future."),
    ("visit", "records.OutreachVisit", "date", "outreach.sa", "salvation-army-ro", "A visit cannot be dated in the future."),
    ("volunteer", "records.Volunteer", "signed_up", "volunteers.dorcas", "dorcas-ro", "A volunteer cannot sign up in the future."),
    ("service", "records.ServiceDelivery", "date", "caseworker.ijm", "ijm-ro", "A service cannot be delivered in the future."),
]  # fmt: skip


def romanian(message: str, **values: Any) -> str:
    with translation.override("ro"):
        return gettext(message) % values if values else gettext(message)


def a_record(model_label: str, org: str) -> Any:
    model: type[Model] = apps.get_model(model_label)
    path = "case__organisation__slug" if model is m.ServiceDelivery else "organisation__slug"
    if model is m.Distribution:
        # Without a campaign: the campaign's own dates would answer first.
        return model._default_manager.filter(**{path: org}, campaign__isnull=True).first()
    return model._default_manager.filter(**{path: org}).first()


@pytest.mark.parametrize(("kind", "model", "field", "persona", "org", "future"), DATED)
@pytest.mark.parametrize("when", ["future", "1899"])
def test_the_api_refuses_a_date_in_the_future_or_before_1900(
    api: Callable[[str], ApiClient],
    kind: str,
    model: str,
    field: str,
    persona: str,
    org: str,
    future: str,
    when: str,
) -> None:
    record = a_record(model, org)
    before = getattr(record, field)
    bad = TOMORROW if when == "future" else dt.date(1899, 12, 31)
    plural = {"activity": "activities", "distribution": "distributions", "visit": "visits"}.get(
        kind, kind + "s"
    )
    response = api(persona).patch(f"/api/v1/records/{plural}/{record.pk}", {field: bad.isoformat()})
    assert response.status_code == 422, response.json()
    expected = (
        romanian(future)
        if when == "future"
        else romanian("A date before %(year)s cannot be right: check the year.", year=1900)
    )
    assert response.json()["errors"][field] == [expected]
    record.refresh_from_db()
    assert getattr(record, field) == before


@pytest.mark.parametrize(("kind", "model", "field", "persona", "org", "future"), DATED)
def test_the_record_form_refuses_a_date_in_the_future(
    login: Callable[[str], Client], kind: str, model: str, field: str, persona: str, org: str, future: str
) -> None:
    record = a_record(model, org)
    client = login(persona)
    url = reverse(f"records:{kind}-edit", args=[record.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data = {k: ([x.pk for x in v] if isinstance(v, list) else v) for k, v in data.items()}
    response = client.post(url, {**data, field: TOMORROW.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [romanian(future)]
    record.refresh_from_db()
    assert getattr(record, field) != TOMORROW


def test_the_api_refuses_an_attendance_above_the_limit(api: Callable[[str], ApiClient]) -> None:
    activity = a_record("records.Activity", "dorcas-ro")
    response = api("prevention.dorcas").patch(
        f"/api/v1/records/activities/{activity.pk}", {"attendance_total": 99_999_999_999}
    )
    assert response.status_code == 422
    activity.refresh_from_db()
    assert activity.attendance_total <= MAX_COUNT


def test_the_record_form_refuses_a_quantity_above_the_limit_with_a_clear_message(
    login: Callable[[str], Client],
) -> None:
    distribution = a_record("records.Distribution", "dorcas-ro")
    client = login("volunteers.dorcas")
    url = reverse("records:distribution-edit", args=[distribution.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = client.post(url, {**data, "quantity": MAX_COUNT + 1})
    assert response.status_code == 200
    assert response.context["form"].errors["quantity"] == [
        romanian("%(value)s is more than %(limit)s: check the number.", value=MAX_COUNT + 1, limit=MAX_COUNT)
    ]
    distribution.refresh_from_db()
    assert distribution.quantity != MAX_COUNT + 1


def test_a_quantity_at_the_limit_is_saved(api: Callable[[str], ApiClient]) -> None:
    distribution = a_record("records.Distribution", "dorcas-ro")
    response = api("volunteers.dorcas").patch(
        f"/api/v1/records/distributions/{distribution.pk}", {"quantity": MAX_COUNT}
    )
    assert response.status_code == 200, response.json()
    distribution.refresh_from_db()
    assert distribution.quantity == MAX_COUNT


def programme_and(org: str) -> tuple[Programme, Organisation]:
    return Programme.objects.get(slug="next-steps"), Organisation.objects.get(slug=org)


ACTIVITY_HEADER = ["external_id", "activity_type", "title", "date", "locality", "attendance_total"]


def test_an_import_names_each_row_with_an_impossible_date_or_count_and_writes_nothing(tmp_path: Path) -> None:
    programme, dorcas = programme_and("dorcas-ro")
    activity_type = m.ActivityType.objects.first()
    assert activity_type is not None
    rows = [
        ["RULE-1", activity_type.code, "School session", TOMORROW.isoformat(), "Bucharest", "30"],
        ["RULE-2", activity_type.code, "School session", "1899-05-01", "Bucharest", "30"],
        ["RULE-3", activity_type.code, "School session", "2021-10-01", "Bucharest", "99999999999"],
        ["RULE-4", activity_type.code, "School session", "2021-10-02", "Bucharest", "30"],
    ]
    path = write_csv(tmp_path / "activities.csv", ACTIVITY_HEADER, rows)
    before = m.Activity.objects.count()
    with pytest.raises(ImportFailed) as failed:
        run(programme, dorcas, path)
    errors = {(e.row, e.column): e.message() for e in failed.value.result.errors}
    assert errors == {
        (2, "date"): "An activity cannot be dated in the future.",
        (3, "date"): "A date before 1900 cannot be right: check the year.",
        (4, "attendance_total"): "99999999999 is more than 100000: check the number.",
    }
    assert m.Activity.objects.count() == before


def test_an_import_of_a_service_in_the_future_is_refused_with_the_models_sentence(tmp_path: Path) -> None:
    programme, ijm = programme_and("ijm-ro")
    case = m.Case.objects.filter(organisation=ijm).first()
    assert case is not None
    case.external_id = "C-RULES"
    case.save(update_fields=["external_id"])
    service_type = m.ServiceType.objects.first()
    assert service_type is not None
    path = write_csv(
        tmp_path / "services.csv",
        ["external_id", "case", "service_type", "date"],
        [["S-FUTURE", case.external_id, service_type.code, TOMORROW.isoformat()]],
    )
    with pytest.raises(ImportFailed) as failed:
        run(programme, ijm, path)
    assert [e.message() for e in failed.value.result.errors] == [
        "A service cannot be delivered in the future."
    ]
