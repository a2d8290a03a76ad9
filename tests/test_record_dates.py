"""Dates and years that cannot be right are refused next to their field, whatever saves the record: a
birth year in the future or before 1900, a campaign ending before it starts, a case opened, a volunteer
signed up or an outcome reached in the future."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.records import actions
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db

TOMORROW = dt.date.today() + dt.timedelta(days=1)
NEXT_YEAR = dt.date.today().year + 1


def romanian(message: str, **values: Any) -> str:
    """The demo's Romanian staff read the message in their language."""
    with translation.override("ro"):
        return gettext(message) % values if values else gettext(message)


def refused(response: Any, field: str, model: type[Model], before: int) -> list[str]:
    assert response.status_code == 200, response.status_code
    assert model._default_manager.count() == before
    return list(response.context["form"].errors.get(field, []))


@pytest.mark.parametrize(
    ("year", "message", "values"),
    [
        (str(NEXT_YEAR), "The year of birth is in the future.", {}),
        ("1899", "The year of birth cannot be before %(year)s.", {"year": 1900}),
    ],
)
def test_an_impossible_year_of_birth_is_refused(
    login: Callable[[str], Client], year: str, message: str, values: dict[str, Any]
) -> None:
    before = m.Person.objects.count()
    response = login("outreach.sa").post(
        reverse("records:person-create"), {"code": "SA-YEAR", "sex": "female", "birth_year": year}
    )
    assert refused(response, "birth_year", m.Person, before) == [romanian(message, **values)]


def test_a_date_of_birth_before_1900_is_refused(login: Callable[[str], Client]) -> None:
    before = m.Person.objects.count()
    response = login("outreach.sa").post(
        reverse("records:person-create"), {"code": "SA-OLD", "sex": "male", "birth_date": "1899-12-31"}
    )
    assert refused(response, "birth_date", m.Person, before) == [
        romanian("The date of birth cannot be before %(year)s.", year=1900)
    ]


def test_a_campaign_that_ends_before_it_starts_is_refused(login: Callable[[str], Client]) -> None:
    before = m.Campaign.objects.count()
    response = login("volunteers.dorcas").post(
        reverse("records:campaign-create"),
        {"name": "Backwards", "slug": "backwards", "start": "2021-12-01", "end": "2021-11-30"},
    )
    assert refused(response, "end", m.Campaign, before) == [
        romanian("A campaign cannot end before it starts.")
    ]


def test_a_case_opened_in_the_future_is_refused(login: Callable[[str], Client]) -> None:
    person = m.Person.objects.filter(organisation__slug="salvation-army-ro").first()
    assert person is not None
    before = m.Case.objects.count()
    response = login("caseworker.sa").post(
        reverse("records:case-create"),
        {"person": person.pk, "opened": TOMORROW.isoformat(), "status": "open"},
    )
    assert refused(response, "opened", m.Case, before) == [romanian("A case cannot open in the future.")]


def test_a_volunteer_signed_up_in_the_future_is_refused(login: Callable[[str], Client]) -> None:
    before = m.Volunteer.objects.count()
    response = login("volunteers.dorcas").post(
        reverse("records:volunteer-create"),
        {"code": "VOL-SOON", "signed_up": TOMORROW.isoformat(), "status": "active"},
    )
    assert refused(response, "signed_up", m.Volunteer, before) == [
        romanian("A volunteer cannot sign up in the future.")
    ]


def test_an_outcome_in_the_future_is_refused_whatever_saves_it() -> None:
    case = m.Case.objects.filter(organisation__slug="ijm-ro").first()
    assert case is not None
    before = m.Outcome.objects.count()
    with pytest.raises(ValidationError) as refusal:
        actions.create_record(
            m.Outcome,
            acting_user=None,
            case=case,
            outcome_type=m.OutcomeType.objects.get(code="employed"),
            date=TOMORROW,
        )
    assert refusal.value.message_dict == {"date": ["An outcome cannot be recorded for a future date."]}
    assert m.Outcome.objects.count() == before


def test_a_case_is_refused_in_the_future_whatever_saves_it() -> None:
    # Someone without an open case here: a second open case would be refused for that reason too.
    case = m.Case.objects.filter(organisation__slug="ijm-ro").first()
    assert case is not None
    person = factories.person(case.organisation)
    with pytest.raises(ValidationError) as refusal:
        actions.create_record(
            m.Case,
            acting_user=None,
            programme=case.programme,
            organisation=person.organisation,
            person=person,
            opened=TOMORROW,
        )
    assert set(refusal.value.message_dict) == {"opened"}
