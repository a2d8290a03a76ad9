"""A counting rule can count every campaign of a kind, so that next year's campaign counts without touching
the rule: the demo's Christmas-gifts indicator counts the "Women for women" Christmas campaigns by kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Programme
from nextsteps.records.models import Campaign, CampaignKind, Distribution, Volunteer
from tests import factories as f

pytestmark = pytest.mark.django_db

YEAR_2021 = (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
YEAR_2022 = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))


def christmas_2022(demo: Programme) -> Campaign:
    """Next year's campaign of the same kind, with its own gifts."""
    last_year = Campaign.objects.get(programme=demo, slug="women-for-women-2021")
    campaign = Campaign.objects.create(
        programme=demo,
        organisation=last_year.organisation,
        name="Women for women",
        slug="women-for-women-2022",
        start=dt.date(2022, 11, 15),
        end=dt.date(2023, 1, 15),
        kind=CampaignKind.objects.get(code="women_for_women_christmas"),
    )
    for day, quantity in ((dt.date(2022, 12, 10), 80), (dt.date(2022, 12, 17), 25)):
        Distribution.objects.create(
            programme=demo,
            organisation=campaign.organisation,
            campaign=campaign,
            date=day,
            item="gift",
            quantity=quantity,
            recipient_group="women in prostitution",
        )
    return campaign


def test_the_christmas_indicator_counts_each_years_campaign_in_its_year(demo: Programme) -> None:
    indicator = Indicator.objects.get(pillar__programme=demo, code="christmas-gifts")
    christmas_2022(demo)
    assert engine.value(indicator, *YEAR_2021).total == 70 + 50 + 40
    # The 2021 campaign's last gifts went out on 6 January 2022 (12), then the 2022 campaign's.
    assert engine.value(indicator, *YEAR_2022).total == 12 + 80 + 25


def test_campaigns_of_another_kind_or_of_none_are_not_counted(demo: Programme) -> None:
    indicator = Indicator.objects.get(pillar__programme=demo, code="christmas-gifts")
    campaign = christmas_2022(demo)
    other = CampaignKind.objects.create(
        code="spring", label_nl="Lente", label_en="Spring", label_ro="Primăvară"
    )
    Campaign.objects.filter(pk=campaign.pk).update(kind=other)
    assert engine.value(indicator, *YEAR_2022).total == 12
    Campaign.objects.filter(pk=campaign.pk).update(kind=None)
    assert engine.value(indicator, *YEAR_2022).total == 12


def test_volunteers_can_be_counted_by_the_kind_of_their_campaign() -> None:
    org = f.organisation()
    prog = f.programme(org)
    kind = CampaignKind.objects.get(code="women_for_women_christmas")
    indicator = f.indicator(prog, "volunteers", "records", {"campaign_kind": [kind.code]})
    for year in (2021, 2022):
        campaign = Campaign.objects.create(
            programme=prog,
            organisation=org,
            name="Women for women",
            slug=f"w4w-{year}",
            start=dt.date(year, 11, 1),
            end=dt.date(year, 12, 31),
            kind=kind,
        )
        Volunteer.objects.create(
            programme=prog,
            organisation=org,
            code=f"V-{year}",
            signed_up=dt.date(year, 11, 5),
            campaign=campaign,
        )
    Volunteer.objects.create(programme=prog, organisation=org, code="V-none", signed_up=dt.date(2022, 11, 5))
    assert engine.value(indicator, *YEAR_2021).total == 1
    assert engine.value(indicator, *YEAR_2022).total == 1


def test_an_unknown_campaign_kind_is_refused_with_the_kinds_there_are() -> None:
    prog = f.programme(f.organisation())
    with pytest.raises(ValidationError) as error:
        f.indicator(prog, "distributions", "sum", {"campaign_kind": ["xmas"]})
    assert error.value.message_dict["filters"] == [
        "The filter “campaign_kind” has no value “xmas”; choose from women_for_women_christmas."
    ]
