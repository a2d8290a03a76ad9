"""Plausible slips in the records a report is written from are refused wherever they are typed: a target of
12.5 volunteers or one overlapping another, an empty milestone, story or introduction, a distribution outside
its campaign's dates, the same consent recorded twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from nextsteps.indicators.models import Indicator, Target
from nextsteps.privacy.actions import record_consent
from nextsteps.privacy.models import Consent
from nextsteps.programmes.models import Milestone, PeriodNarrative, Programme
from nextsteps.records import models as m
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db
NEW = {"start": "2022-01-01", "end": "2022-12-31", "cell": "", "baseline": "3", "target": "40"}


def indicator(code: str = "families-visited") -> Indicator:
    return Indicator.objects.get(pillar__programme__slug="next-steps", code=code)


def post_target(client: Client, **change: str) -> tuple[int, dict[str, list[str]]]:
    url = reverse("indicators:target-create", args=["next-steps", indicator().pk])
    response = client.post(url, {**NEW, **change})
    return response.status_code, (response.context["form"].errors if response.status_code == 200 else {})


def test_a_target_that_is_not_a_whole_number_is_refused(
    login: Callable[[str], Client], demo: Programme
) -> None:
    count = Target.objects.count()
    status, errors = post_target(login("coordinator"), target="12.5")
    assert status == 200 and errors["target"]
    status, errors = post_target(login("coordinator"), baseline="0.5")
    assert status == 200 and errors["baseline"]
    assert Target.objects.count() == count


def test_a_target_overlapping_another_of_the_same_indicator_is_refused(
    login: Callable[[str], Client], demo: Programme
) -> None:
    # The demo's target runs from August to December 2021; a yearly one for 2021 overlaps it.
    count = Target.objects.count()
    status, errors = post_target(login("coordinator"), start="2021-01-01", end="2021-12-31")
    assert status == 200
    assert errors["start"] == [
        "Deze indicator heeft al een doel van 1 aug 2021 tot 31 dec 2021, dat met deze periode overlapt."
    ]
    assert Target.objects.count() == count


def test_a_target_of_the_following_period_is_saved(login: Callable[[str], Client], demo: Programme) -> None:
    status, _errors = post_target(login("coordinator"), start="2022-01-01", end="2022-12-31", target="40")
    assert status == 302


def test_an_empty_introduction_is_refused(login: Callable[[str], Client], demo: Programme) -> None:
    count = PeriodNarrative.objects.count()
    response = login("coordinator").post(
        reverse("programmes:narrative-create", args=["next-steps"]),
        {"start": "2022-01-01", "end": "2022-06-30", "language": "en", "text": "   \n  "},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert PeriodNarrative.objects.count() == count


def test_an_empty_milestone_is_refused_by_the_api(api: Callable[[str], ApiClient], demo: Programme) -> None:
    milestone = Milestone.objects.filter(organisation__slug="next-steps-nl").first()
    assert milestone is not None
    response = api("coordinator").patch(
        f"/api/v1/records/milestones/{milestone.pk}", {"text_nl": " ", "text_en": "", "text_ro": ""}
    )
    assert response.status_code == 422, response.json()
    milestone.refresh_from_db()
    assert milestone.text().strip()


def test_an_empty_story_is_refused() -> None:
    from tests import factories

    org = factories.organisation()
    prog = factories.programme(org)
    story = m.Story(programme=prog, organisation=org, date=dt.date(2021, 10, 1), text_en="  ")
    with pytest.raises(ValidationError) as refused:
        story.full_clean()
    assert refused.value.messages == ["Write the story in at least one language."]


def test_a_distribution_outside_its_campaigns_dates_is_refused_by_the_api(
    api: Callable[[str], ApiClient], demo: Programme
) -> None:
    distribution = m.Distribution.objects.filter(campaign__isnull=False).first()
    assert distribution is not None
    campaign = distribution.campaign
    assert campaign is not None
    for day in (campaign.start - dt.timedelta(days=1), campaign.end + dt.timedelta(days=400)):
        response = api("volunteers.dorcas").patch(
            f"/api/v1/records/distributions/{distribution.pk}", {"date": day.isoformat()}
        )
        assert response.status_code == 422
        assert list(response.json()["errors"]) == ["date"]
    inside = campaign.start + dt.timedelta(days=3)
    response = api("volunteers.dorcas").patch(
        f"/api/v1/records/distributions/{distribution.pk}", {"date": inside.isoformat()}
    )
    assert response.status_code == 200


def test_the_same_consent_twice_is_refused_and_a_different_one_is_kept() -> None:
    from tests import factories

    person = factories.person(factories.organisation())
    record_consent(acting_user=None, person=person, purpose="services", given_on=dt.date(2021, 3, 1))
    with pytest.raises(ValidationError) as refused:
        record_consent(acting_user=None, person=person, purpose="services", given_on=dt.date(2021, 3, 1))
    assert list(refused.value.message_dict) == ["given_on"]
    record_consent(
        acting_user=None,
        person=person,
        purpose="services",
        given_on=dt.date(2021, 3, 1),
        expires_on=dt.date(2021, 12, 31),
    )
    assert Consent.objects.filter(person=person).count() == 2
