"""Targets and baselines per indicator and period: a coordinator enters and edits them in the app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator, Target
from nextsteps.programmes.models import Programme

pytestmark = pytest.mark.django_db
NEW = {"start": "2022-01-01", "end": "2022-12-31", "cell": "", "baseline": "3", "target": "40"}


def indicator(code: str = "families-visited") -> Indicator:
    return Indicator.objects.get(pillar__programme__slug="next-steps", code=code)


def test_it_lists_each_indicators_targets(login: Callable[[str], Client], demo: Programme) -> None:
    response = login("coordinator").get(reverse("indicators:indicator-list", args=["next-steps"]))
    targets = {row["indicator"].code: row["targets"] for row in response.context["rows"]}
    assert [t.start for t in targets["families-visited"]] == [dt.date(2021, 8, 1)]


def test_a_new_target_is_what_the_engine_compares_with(
    login: Callable[[str], Client], demo: Programme
) -> None:
    ind = indicator()
    url = reverse("indicators:target-create", args=["next-steps", ind.pk])
    assert login("coordinator").post(url, NEW).status_code == 302
    found = engine.targets_for([ind], dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert found[ind.pk].target == 40 and found[ind.pk].baseline == 3
    assert AuditEntry.objects.filter(
        model="indicators.Target", action="create", organisation__slug="next-steps-nl"
    ).exists()


def test_it_edits_and_deletes_a_target(login: Callable[[str], Client], demo: Programme) -> None:
    client = login("coordinator")
    target = Target.objects.filter(indicator=indicator()).get()
    data = {"start": "2021-08-01", "end": "2021-12-31", "cell": "", "baseline": "", "target": "99"}
    assert (
        client.post(reverse("indicators:target-edit", args=["next-steps", target.pk]), data).status_code
        == 302
    )
    target.refresh_from_db()
    assert target.target == 99
    assert client.post(reverse("indicators:target-delete", args=["next-steps", target.pk])).status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target": "-1"}, "target"),
        ({"baseline": "-5"}, "baseline"),
        ({"target": "many"}, "target"),
        ({"end": "2021-12-31"}, "end"),
        ({"start": "2021-08-01", "end": "2021-12-31"}, "start"),  # the demo's target for that period
        ({"cell": "woman"}, "cell"),  # this indicator has no sex × age breakdown
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(
    login: Callable[[str], Client], demo: Programme, change: dict[str, str], field: str
) -> None:
    count = Target.objects.count()
    url = reverse("indicators:target-create", args=["next-steps", indicator().pk])
    response = login("coordinator").post(url, {**NEW, **change})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert Target.objects.count() == count


def test_its_query_count_does_not_depend_on_the_number_of_targets(
    login: Callable[[str], Client], demo: Programme
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("coordinator")
    url = reverse("indicators:indicator-list", args=["next-steps"])
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for ind in Indicator.objects.filter(pillar__programme=demo)[:5]:
        Target.objects.create(indicator=ind, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31), target=1)
    assert queries() == before
