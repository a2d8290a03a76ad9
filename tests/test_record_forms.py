"""Bad input on the record forms: a message next to the field, what was typed kept, nothing saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.records import models as m

pytestmark = pytest.mark.django_db


def in_romanian(message: str) -> str:
    """The demo's Romanian staff get their messages in Romanian."""
    with translation.override("ro"):
        translated = gettext(message)
    assert translated != message
    return translated


def errors(response, field: str) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    return list(response.context["form"].errors.get(field, []))


def test_empty_required_fields_are_named(login: Callable[[str], Client]) -> None:
    before = m.Person.objects.count()
    response = login("outreach.sa").post(reverse("records:person-create"), {"code": "", "sex": ""})
    assert errors(response, "code") and errors(response, "sex")
    assert m.Person.objects.count() == before


def test_a_service_delivered_in_the_future_is_refused(login: Callable[[str], Client]) -> None:
    case = m.Case.objects.filter(organisation__slug="ijm-ro").first()
    assert case is not None
    before = m.ServiceDelivery.objects.count()
    future = dt.date.today() + dt.timedelta(days=3)
    response = login("caseworker.ijm").post(
        reverse("records:case-service", args=[case.pk]),
        {
            "case": case.pk,
            "service_type": m.ServiceType.objects.get(code="legal_support").pk,
            "date": future.isoformat(),
            "note": "kept",
        },
    )
    assert errors(response, "date") == [in_romanian("A service cannot be delivered in the future.")]
    assert m.ServiceDelivery.objects.count() == before
    assert "kept</textarea>" in response.content.decode()


def activity_post(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "activity_type": m.ActivityType.objects.get(code="school_session").pk,
        "title": "Session on safe work abroad",
        "date": "2021-10-10",
        "locality": "Oradea",
        "attendance_total": "30",
    }
    data.update(changes)
    return data


def test_negative_attendance_is_refused(login: Callable[[str], Client]) -> None:
    before = m.Activity.objects.count()
    response = login("prevention.dorcas").post(
        reverse("records:activity-create"), activity_post(attendance_total="-4")
    )
    assert errors(response, "attendance_total")
    assert m.Activity.objects.count() == before


def test_an_attendance_breakdown_larger_than_the_total_is_refused(login: Callable[[str], Client]) -> None:
    before = m.Activity.objects.count()
    response = login("prevention.dorcas").post(
        reverse("records:activity-create"), activity_post(attendance_girls="20", attendance_boys="15")
    )
    assert errors(response, "attendance_total") == [
        in_romanian("The attendance breakdown adds up to more than the total.")
    ]
    assert m.Activity.objects.count() == before
    assert 'value="Session on safe work abroad"' in response.content.decode()


def test_a_person_of_another_organisation_posted_by_id_is_refused(login: Callable[[str], Client]) -> None:
    stranger = m.Person.objects.filter(organisation__slug="ijm-ro").first()
    assert stranger is not None
    before = m.Case.objects.count()
    response = login("caseworker.sa").post(
        reverse("records:case-create"), {"person": stranger.pk, "opened": "2021-09-01", "status": "open"}
    )
    assert errors(response, "person")
    assert m.Case.objects.count() == before


def test_an_outreach_round_with_a_stranger_by_id_saves_nothing(login: Callable[[str], Client]) -> None:
    stranger = m.Person.objects.filter(organisation__slug="betania").first()
    assert stranger is not None
    before = m.OutreachVisit.objects.count()
    response = login("outreach.sa").post(
        reverse("records:outreach-round"),
        {
            "date": "2021-10-01",
            "locality": "Bucharest",
            "site_type": m.SiteType.objects.get(code="street").pk,
            # A code typed without choosing (as without JavaScript): another organisation's finds no one.
            "persons__code": stranger.code,
            "new-TOTAL_FORMS": "0",
            "new-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["persons"]
    assert m.OutreachVisit.objects.count() == before


def campaign_post(campaign: m.Campaign, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "organisation": campaign.organisation_id,
        "name": campaign.name,
        "slug": campaign.slug,
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "purpose": campaign.purpose,
    }
    data.update(changes)
    return data


def test_a_campaign_slug_already_used_in_the_programme_is_a_field_error(
    login: Callable[[str], Client],
) -> None:
    campaign = m.Campaign.objects.filter(organisation__slug="dorcas-ro").first()
    assert campaign is not None
    before = m.Campaign.objects.count()
    response = login("volunteers.dorcas").post(
        reverse("records:campaign-create"), campaign_post(campaign, name="Winter gifts again")
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert m.Campaign.objects.count() == before
    assert 'value="Winter gifts again"' in response.content.decode()


def test_editing_a_record_keeps_it_in_its_own_programme(login: Callable[[str], Client]) -> None:
    from tests import factories

    campaign = m.Campaign.objects.filter(organisation__slug="dorcas-ro").first()
    assert campaign is not None
    home = campaign.programme_id
    # A second programme of the same organisation that sorts first: the user's "default" programme.
    other = factories.programme(campaign.organisation)
    other.name = "Aaa first programme"
    other.save()
    response = login("volunteers.dorcas").post(
        reverse("records:campaign-edit", args=[campaign.pk]), campaign_post(campaign, name="Renamed")
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else None
    campaign.refresh_from_db()
    assert (campaign.name, campaign.programme_id) == ("Renamed", home)


def test_a_person_code_already_used_by_the_organisation_is_a_sentence_next_to_the_code(
    login: Callable[[str], Client],
) -> None:
    taken = m.Person.objects.filter(organisation__slug="salvation-army-ro").first()
    assert taken is not None
    before = m.Person.objects.count()
    response = login("outreach.sa").post(
        reverse("records:person-create"), {"code": taken.code, "sex": "female"}
    )
    with translation.override("ro"):
        expected = gettext("Another person of this organisation already has this code.")
    assert errors(response, "code") == [expected]
    assert not response.context["form"].non_field_errors()
    assert m.Person.objects.count() == before
