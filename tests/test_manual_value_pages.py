"""Figures entered by hand for indicators no record can count: a coordinator enters them per period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator, ManualValue
from nextsteps.programmes.models import Programme
from tests import factories

pytestmark = pytest.mark.django_db
NEW = {"start": "2022-01-01", "end": "2022-03-31", "value": "12"}


@pytest.fixture
def manual(demo: Programme) -> Indicator:
    return factories.indicator(demo, "", "manual", unit="items")


def create_url(ind: Indicator) -> str:
    return reverse("indicators:value-create", args=["next-steps", ind.pk])


def test_a_figure_entered_by_hand_counts_for_the_indicator(
    login: Callable[[str], Client], manual: Indicator
) -> None:
    assert login("coordinator").post(create_url(manual), NEW).status_code == 302
    assert engine.value(manual, dt.date(2022, 1, 1), dt.date(2022, 12, 31)).total == Decimal(12)
    assert AuditEntry.objects.filter(
        model="indicators.ManualValue", action="create", organisation__slug="next-steps-nl"
    ).exists()


def test_it_edits_and_deletes_a_figure(login: Callable[[str], Client], manual: Indicator) -> None:
    value = ManualValue.objects.create(
        indicator=manual, start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31), value=1
    )
    client = login("coordinator")
    edit = reverse("indicators:value-edit", args=["next-steps", value.pk])
    assert client.post(edit, {**NEW, "value": "7.5"}).status_code == 302
    value.refresh_from_db()
    assert value.value == Decimal("7.5")
    assert client.post(reverse("indicators:value-delete", args=["next-steps", value.pk])).status_code == 302
    assert not ManualValue.objects.filter(pk=value.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "-1"}, "value"),
        ({"value": ""}, "value"),
        ({"end": "2021-12-31"}, "end"),
        ({"start": "2022-03-01", "end": "2022-04-30"}, "start"),  # overlaps the existing figure
        ({}, "start"),  # the same period again
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(
    login: Callable[[str], Client], manual: Indicator, change: dict[str, str], field: str
) -> None:
    ManualValue.objects.create(indicator=manual, start=dt.date(2022, 1, 1), end=dt.date(2022, 3, 31), value=1)
    response = login("coordinator").post(
        create_url(manual), {**NEW, "start": "2022-04-01", "end": "2022-06-30", **change} if change else NEW
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert ManualValue.objects.filter(indicator=manual).count() == 1


def test_an_indicator_that_counts_records_takes_no_figure_by_hand(
    login: Callable[[str], Client], demo: Programme
) -> None:
    counted = Indicator.objects.filter(pillar__programme=demo).first()
    assert counted is not None
    assert login("coordinator").post(create_url(counted), NEW).status_code == 404
    assert not ManualValue.objects.filter(indicator=counted).exists()
