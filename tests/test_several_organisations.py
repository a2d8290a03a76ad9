"""A user who works for two organisations sees the records of both, chooses which one a record belongs
to, and still cannot link a record of one organisation to a person of the other."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django import forms
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import Membership, Role, User
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db

SA, IJM = "salvation-army-ro", "ijm-ro"


@pytest.fixture
def both(login: Callable[[str], Client]) -> Client:
    user = User.objects.create_user(username="caseworker.both", password="unused-password", language="en")
    for slug in (SA, IJM):
        Membership.objects.create(
            user=user, organisation=Organisation.objects.get(slug=slug), role=Role.CASEWORKER
        )
    return login("caseworker.both")


def test_lists_show_the_records_of_both_organisations(both: Client) -> None:
    response = both.get(reverse("records:person-list"))
    # Their own persons, and the person another organisation referred to IJM, whose case IJM accepted.
    expected = (
        m.Person.objects.filter(
            Q(organisation__slug__in=[SA, IJM]) | Q(cases__shares__organisation__slug__in=[SA, IJM])
        )
        .distinct()
        .count()
    )
    assert response.context["page"].paginator.count == expected
    for slug in (SA, IJM):
        person = m.Person.objects.filter(organisation__slug=slug).first()
        assert person is not None
        found = both.get(reverse("records:person-list"), {"q": person.code}).context["rows"]
        assert person in [obj for obj, _cells, _address in found]


def test_lists_offer_the_organisation_filter(both: Client) -> None:
    filters = both.get(reverse("records:case-list")).context["filters"]
    field = filters.fields["organisation"]
    assert {o.slug for o in field.queryset} == {SA, IJM}
    narrowed = both.get(reverse("records:case-list"), {"organisation": Organisation.objects.get(slug=IJM).pk})
    rows = [obj for obj, _cells, _address in narrowed.context["rows"]]
    assert rows and {c.organisation.slug for c in rows} == {IJM}
    assert narrowed.context["page"].paginator.count == m.Case.objects.filter(organisation__slug=IJM).count()


def test_forms_let_them_choose_the_organisation(both: Client) -> None:
    field = both.get(reverse("records:case-create")).context["form"].fields["organisation"]
    assert not field.disabled and not isinstance(field.widget, forms.HiddenInput)
    assert {o.slug for o in field.queryset} == {SA, IJM}


def test_a_person_of_one_organisation_cannot_be_put_in_a_case_of_the_other(both: Client) -> None:
    # Someone without an open case: a person has one open case per organisation and programme.
    ijm_person = m.Person.objects.filter(organisation__slug=IJM).exclude(cases__status="open").first()
    if ijm_person is None:
        ijm_person = factories.person(Organisation.objects.get(slug=IJM))
    before = m.Case.objects.count()
    response = both.post(
        reverse("records:case-create"),
        {
            "organisation": Organisation.objects.get(slug=SA).pk,
            "person": ijm_person.pk,
            "opened": "2021-09-01",
            "status": "open",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["person"]
    assert m.Case.objects.count() == before
    saved = both.post(
        reverse("records:case-create"),
        {
            "organisation": Organisation.objects.get(slug=IJM).pk,
            "person": ijm_person.pk,
            "opened": "2021-09-01",
            "status": "open",
            "services_consent": "on",
        },
    )
    assert saved.status_code == 302
    assert m.Case.objects.filter(person=ijm_person, organisation__slug=IJM, opened="2021-09-01").exists()
