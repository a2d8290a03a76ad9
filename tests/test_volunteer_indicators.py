"""Indicators count volunteers by stage and sum the hours they gave; the demo's 29 new volunteers stay 29."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db

SCREENED: dict[str, Any] = {
    "certificate_checked": dt.date(2024, 1, 8),
    "safeguarding_signed": dt.date(2024, 1, 9),
    "confidentiality_signed": dt.date(2024, 1, 9),
}
YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def volunteer(prog: Programme, org: Organisation, code: str, stage: str, **fields: Any) -> m.Volunteer:
    return actions.create_record(
        m.Volunteer,
        acting_user=None,
        programme=prog,
        organisation=org,
        code=code,
        signed_up=dt.date(2024, 1, 15),
        stage=stage,
        **(SCREENED if stage == "active" else {}),
        **fields,
    )


@pytest.fixture
def team() -> tuple[Programme, Organisation, Organisation]:
    first, second = f.organisation(), f.organisation()
    prog = f.programme(first, second)
    volunteer(prog, first, "V1", "active", locality="Cluj")
    volunteer(prog, first, "V2", "active")
    volunteer(prog, second, "V3", "training")
    volunteer(prog, second, "V4", "paused")
    volunteer(prog, second, "V5", "applied")
    return prog, first, second


def test_volunteers_are_counted_by_stage(team: tuple[Programme, Organisation, Organisation]) -> None:
    prog = team[0]
    assert engine.value(f.indicator(prog, "volunteers", "records", {"stage": ["active"]}), *YEAR).total == 2
    both = f.indicator(prog, "volunteers", "records", {"stage": ["training", "applied"]})
    assert engine.value(both, *YEAR).total == 2
    assert engine.value(f.indicator(prog, "volunteers", "records"), *YEAR).total == 5


def test_a_rule_written_with_the_former_status_inactive_counts_the_paused(
    team: tuple[Programme, Organisation, Organisation],
) -> None:
    rule = f.indicator(team[0], "volunteers", "records", {"status": ["inactive"]})
    assert engine.value(rule, *YEAR).total == 1


def test_hours_are_summed_over_the_months_that_start_in_the_period(
    team: tuple[Programme, Organisation, Organisation],
) -> None:
    prog, first, second = team
    for code, month, hours in (
        ("V1", dt.date(2024, 2, 1), 10),
        ("V1", dt.date(2024, 3, 1), 12),
        ("V2", dt.date(2024, 3, 1), 5),
        ("V3", dt.date(2024, 3, 1), 7),
        ("V1", dt.date(2025, 1, 1), 100),
    ):
        actions.record_volunteer_hours(
            m.Volunteer.objects.get(programme=prog, code=code), acting_user=None, month=month, hours=hours
        )
    summed = engine.value(f.indicator(prog, "volunteer_hours", "sum", unit="hours"), *YEAR)
    assert summed.total == 34
    assert summed.by_organisation == {first.pk: 27, second.pk: 7}
    assert summed.by_locality == {"Cluj": 22, "": 12}
    active = f.indicator(prog, "volunteer_hours", "sum", {"stage": ["active"]}, unit="hours")
    assert engine.value(active, *YEAR).total == 27
    march = engine.value(
        f.indicator(prog, "volunteer_hours", "sum"), dt.date(2024, 3, 1), dt.date(2024, 3, 31)
    )
    assert march.total == 24


def test_the_hours_source_offers_a_sum_and_a_count_of_volunteer_months() -> None:
    from nextsteps.indicators.sources import SOURCES

    assert SOURCES["volunteer_hours"].measures() == ["records", "sum"]


def test_the_demo_still_counts_29_new_volunteers(demo: Programme) -> None:
    indicator = Indicator.objects.get(pillar__programme=demo, code="volunteers-signed-up")
    assert engine.value(indicator, dt.date(2021, 8, 1), dt.date(2021, 12, 31)).total == 29


def test_the_demos_volunteers_are_at_several_stages_with_hours(demo: Programme) -> None:
    stages = set(m.Volunteer.objects.filter(programme=demo).values_list("stage", flat=True))
    assert stages == {"applied", "screening", "training", "active", "paused", "left"}
    assert m.VolunteerHours.objects.filter(volunteer__programme=demo).exists()
    for active in m.Volunteer.objects.filter(programme=demo, stage="active"):
        assert active.missing_for_active() == []
