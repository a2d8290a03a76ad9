"""The consent pages of a person: listed, added and withdrawn by those who may change the person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.models import Consent
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def person() -> m.Person:
    person = m.Person.objects.filter(organisation__slug="ijm-ro", consents__purpose="services").first()
    assert person is not None
    return person


def test_the_person_page_links_to_the_consents_for_who_may_change_the_person(
    person: m.Person, login: Callable[[str], Client]
) -> None:
    url = reverse("privacy:consents", args=[person.pk])
    page = login("caseworker.ijm").get(reverse("records:person-detail", args=[person.pk])).content.decode()
    assert url in page


def test_the_list_shows_each_consent_and_whether_it_holds_today(
    person: m.Person, login: Callable[[str], Client], django_assert_max_num_queries: object
) -> None:
    Consent.objects.create(
        person=person,
        organisation=person.organisation,
        purpose="publication",
        given_on=dt.date(2021, 9, 1),
        withdrawn_on=dt.date(2021, 10, 1),
    )
    client = login("caseworker.ijm")
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get(reverse("privacy:consents", args=[person.pk]))
    assert response.status_code == 200
    assert [(c.purpose, valid) for c, valid in response.context["items"]] == [
        ("publication", False),
        ("services", True),
    ]
    assert AuditEntry.objects.filter(
        model="records.Person", object_pk=str(person.pk), action="view", user__username="caseworker.ijm"
    ).exists()


def test_a_consent_to_share_is_added_on_the_page(person: m.Person, login: Callable[[str], Client]) -> None:
    sa = Organisation.objects.get(slug="salvation-army-ro")
    response = login("caseworker.ijm").post(
        reverse("privacy:consent-add", args=[person.pk]),
        {"purpose": "sharing", "shared_with": sa.pk, "given_by": "guardian", "given_on": "2021-09-01"},
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=person, purpose="sharing")
    assert (consent.shared_with, consent.given_by, consent.organisation.slug) == (sa, "guardian", "ijm-ro")
    assert AuditEntry.objects.filter(
        model="privacy.Consent", object_pk=str(consent.pk), action="create"
    ).exists()


def test_bad_input_is_named_next_to_the_field_and_nothing_is_saved(
    person: m.Person, login: Callable[[str], Client]
) -> None:
    before = Consent.objects.count()
    response = login("caseworker.ijm").post(
        reverse("privacy:consent-add", args=[person.pk]),
        {"purpose": "sharing", "given_by": "person", "given_on": "2021-09-01", "expires_on": "2021-08-01"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"shared_with", "expires_on"}
    assert Consent.objects.count() == before


def test_only_organisations_of_the_same_programmes_may_be_named(
    person: m.Person, login: Callable[[str], Client]
) -> None:
    stranger = Organisation.objects.create(name="Unrelated", slug="unrelated", country="RO")
    response = login("caseworker.ijm").post(
        reverse("privacy:consent-add", args=[person.pk]),
        {"purpose": "sharing", "shared_with": stranger.pk, "given_by": "person", "given_on": "2021-09-01"},
    )
    assert "shared_with" in response.context["form"].errors
    offered = set(response.context["form"].fields["shared_with"].queryset.values_list("slug", flat=True))
    assert "ijm-ro" not in offered and "salvation-army-ro" in offered


def test_a_consent_is_withdrawn_on_the_page(person: m.Person, login: Callable[[str], Client]) -> None:
    consent = person.consents.get(purpose="services")
    client = login("caseworker.ijm")
    response = client.post(
        reverse("privacy:consent-withdraw", args=[consent.pk]), {"withdrawn_on": "2021-12-01"}
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == dt.date(2021, 12, 1)
    # Withdrawn once: there is nothing left to withdraw.
    assert client.get(reverse("privacy:consent-withdraw", args=[consent.pk])).status_code == 404


def test_a_withdrawal_before_the_consent_was_given_is_refused(
    person: m.Person, login: Callable[[str], Client]
) -> None:
    consent = person.consents.get(purpose="services")
    response = login("caseworker.ijm").post(
        reverse("privacy:consent-withdraw", args=[consent.pk]), {"withdrawn_on": "2000-01-01"}
    )
    assert response.status_code == 200 and "withdrawn_on" in response.context["form"].errors
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_other_organisations_cannot_reach_a_persons_consents(
    person: m.Person, login: Callable[[str], Client]
) -> None:
    consent = person.consents.get(purpose="services")
    client = login("caseworker.sa")
    assert client.get(reverse("privacy:consents", args=[person.pk])).status_code == 404
    assert (
        client.post(
            reverse("privacy:consent-withdraw", args=[consent.pk]), {"withdrawn_on": "2021-12-01"}
        ).status_code
        == 404
    )
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
