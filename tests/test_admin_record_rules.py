"""The Django admin, which operators use for set-up, runs the same record rules as the pages, the import and
the API: an empty milestone or introduction, a milestone dated in the future, and a target of 12.5 or one
overlapping another are refused there too, and nothing is stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Milestone, PeriodNarrative
from nextsteps.records import models as m
from tests.test_admin_audit import form_data

pytestmark = pytest.mark.django_db


def change_url(obj: Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def refused(client: Client, obj: Model, **changes: Any) -> Any:
    response = client.post(change_url(obj), {**form_data(client.get(change_url(obj))), **changes})
    assert response.status_code == 200, "saved"
    return response.context["adminform"].form


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text_nl": " ", "text_en": "", "text_ro": ""}, "__all__"),
        ({"date": (dt.date.today() + dt.timedelta(days=1)).isoformat()}, "date"),
    ],
    ids=["empty", "future"],
)
def test_the_admin_refuses_an_empty_or_future_milestone(
    login: Callable[[str], Client], changes: dict[str, str], field: str
) -> None:
    milestone = Milestone.objects.order_by("pk").first()
    assert milestone is not None
    before = (milestone.date, milestone.text_en, milestone.version)
    assert list(refused(login("operator"), milestone, **changes).errors) == [field]
    milestone.refresh_from_db()
    assert (milestone.date, milestone.text_en, milestone.version) == before


def test_the_admin_refuses_an_empty_introduction(login: Callable[[str], Client]) -> None:
    narrative = PeriodNarrative.objects.order_by("pk").first()
    assert narrative is not None
    form = refused(login("operator"), narrative, text="   ")
    assert "text" in form.errors
    narrative.refresh_from_db()
    assert narrative.text.strip()


def test_the_admin_refuses_a_target_in_fractions_or_overlapping_another(
    login: Callable[[str], Client],
) -> None:
    indicator = Indicator.objects.get(pillar__programme__slug="next-steps", code="families-visited")
    target = indicator.targets.get()
    client = login("operator")
    url = change_url(indicator)
    data = form_data(client.get(url))
    # The form as it stands saves: what follows is refused for the target alone.
    assert client.post(url, data).status_code == 302
    data = form_data(client.get(url))
    prefix = next(k[: -len("-TOTAL_FORMS")] for k in data if k.endswith("-TOTAL_FORMS"))
    row = next(k.rsplit("-", 1)[0] for k in data if k.startswith(f"{prefix}-") and k.endswith("-target"))
    response = client.post(url, {**data, f"{row}-target": "12.5"})
    assert response.status_code == 200
    added = int(data[f"{prefix}-TOTAL_FORMS"])
    overlapping = {
        f"{prefix}-TOTAL_FORMS": str(added + 1),
        f"{prefix}-{added}-start": "2021-01-01",
        f"{prefix}-{added}-end": "2021-12-31",
        f"{prefix}-{added}-cell": "",
        f"{prefix}-{added}-target": "40",
    }
    response = client.post(url, {**data, **overlapping})
    assert response.status_code == 200
    assert list(indicator.targets.all()) == [target]
    target.refresh_from_db()
    assert target.target == 67


def campaign() -> Any:
    found = m.Campaign.objects.filter(organisation__slug="dorcas-ro").order_by("pk").first()
    assert found is not None
    return found


def test_the_admin_refuses_a_campaign_that_ends_before_it_starts(login: Callable[[str], Client]) -> None:
    christmas = campaign()
    before = (christmas.start, christmas.end)
    form = refused(login("operator"), christmas, end=(christmas.start - dt.timedelta(days=1)).isoformat())
    assert list(form.errors) == ["end"]
    christmas.refresh_from_db()
    assert (christmas.start, christmas.end) == before


def test_the_admin_refuses_a_campaign_slug_the_programme_already_uses(login: Callable[[str], Client]) -> None:
    christmas = campaign()
    other = m.Campaign.objects.create(
        programme=christmas.programme,
        organisation=christmas.organisation,
        name="Spring",
        slug="spring-admin",
        start=dt.date(2022, 3, 1),
        end=dt.date(2022, 3, 31),
    )
    form = refused(login("operator"), other, slug=christmas.slug)
    assert "slug" in form.errors
    other.refresh_from_db()
    assert other.slug == "spring-admin"


def test_the_admin_offers_only_the_campaign_kinds_in_use_like_the_form(
    login: Callable[[str], Client],
) -> None:
    retired = m.CampaignKind.objects.create(
        code="retired-kind", label_en="Retired", label_nl="Vervallen", label_ro="Retras", active=False
    )
    christmas = campaign()
    kind_before = christmas.kind_id
    form = refused(login("operator"), christmas, kind=str(retired.pk))
    assert list(form.errors) == ["kind"]
    christmas.refresh_from_db()
    assert christmas.kind_id == kind_before


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"code": "Not a code!"}, "code"), ({"label_en": "   "}, "label_en")],
    ids=["code", "empty-label"],
)
def test_the_admin_refuses_a_bad_code_or_an_empty_label_in_a_managed_list(
    login: Callable[[str], Client], changes: dict[str, str], field: str
) -> None:
    kind = m.CampaignKind.objects.order_by("pk").first()
    assert kind is not None
    before = (kind.code, kind.label_en)
    assert field in refused(login("operator"), kind, **changes).errors
    kind.refresh_from_db()
    assert (kind.code, kind.label_en) == before


def test_the_admin_refuses_a_code_another_item_of_the_list_has(login: Callable[[str], Client]) -> None:
    first, second = m.ServiceType.objects.order_by("pk")[:2]
    form = refused(login("operator"), second, code=first.code)
    assert "code" in form.errors
    second.refresh_from_db()
    assert second.code != first.code
