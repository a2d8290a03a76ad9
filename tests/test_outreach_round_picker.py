"""The outreach round's other people reached are chosen with the type-ahead picker: by key when chosen, by
code when typed without choosing (without JavaScript), and only among the round's organisation's persons."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from nextsteps.accounts.models import Membership, Role, User
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests import factories
from tests.importing import translated
from tests.test_outreach_round_tracker import SA, URL, grid, round_post

pytestmark = pytest.mark.django_db


def others_reached(locality: str) -> list[str]:
    visit = m.OutreachVisit.objects.get(locality=locality, household=None)
    return sorted(visit.persons.values_list("code", flat=True))


def test_the_round_offers_the_organisations_persons_through_the_picker(
    login: Callable[[str], Client],
) -> None:
    org = Organisation.objects.get(slug=SA)
    html = grid(login("outreach.sa"), locality="Sibiu").content.decode()
    assert 'data-picker data-name="persons" data-multiple="true"' in html
    assert f"/pick/persons/?org={org.pk}&amp;field=id_persons" in html
    assert 'name="persons__code"' in html and 'id="id_persons"' in html


def test_a_person_chosen_by_key_is_recorded_as_reached(login: Callable[[str], Client]) -> None:
    org = Organisation.objects.get(slug=SA)
    chosen = [factories.person(org), factories.person(org)]
    response = login("outreach.sa").post(
        URL, round_post(locality="Sibiu", persons=[p.pk for p in chosen], persons__code="")
    )
    assert response.status_code == 302
    assert others_reached("Sibiu") == sorted(p.code for p in chosen)


def test_a_key_of_another_organisations_person_is_refused_and_nothing_saved(
    login: Callable[[str], Client],
) -> None:
    org = Organisation.objects.get(slug=SA)
    own = factories.person(org)
    stranger = m.Person.objects.filter(organisation__slug="betania").first()
    assert stranger is not None
    before = m.OutreachVisit.objects.count()
    response = login("outreach.sa").post(
        URL, round_post(locality="Sibiu", persons=[own.pk, stranger.pk], persons__code="")
    )
    assert response.status_code == 200
    # Said in the persona's language (Romanian), without naming the other organisation's person.
    expected = translated(
        "ro", "Someone chosen is not a person you may record for this organisation: choose again."
    )
    assert response.context["form"].errors["persons"] == [expected]
    assert stranger.code not in response.content.decode()
    assert m.OutreachVisit.objects.count() == before


def test_codes_typed_without_choosing_are_found_whatever_their_case(login: Callable[[str], Client]) -> None:
    org = Organisation.objects.get(slug=SA)
    typed = [factories.person(org), factories.person(org)]
    codes = ", ".join(p.code.lower() for p in typed)
    response = login("outreach.sa").post(URL, round_post(locality="Sibiu", persons__code=codes))
    assert response.status_code == 302
    assert others_reached("Sibiu") == sorted(p.code for p in typed)


def test_a_typed_code_of_another_organisation_is_named_in_the_message(login: Callable[[str], Client]) -> None:
    stranger = m.Person.objects.filter(organisation__slug="betania").first()
    assert stranger is not None
    before = m.OutreachVisit.objects.count()
    response = login("outreach.sa").post(
        URL, round_post(locality="Sibiu", persons__code=f"{stranger.code} NO-SUCH-CODE")
    )
    assert response.status_code == 200
    expected = translated(
        "ro", "No person you may record has the code %(codes)s.", codes=f"{stranger.code}, NO-SUCH-CODE"
    )
    assert response.context["form"].errors["persons"] == [expected]
    assert m.OutreachVisit.objects.count() == before


def test_with_two_organisations_only_the_rounds_own_persons_are_offered_and_taken(
    login: Callable[[str], Client],
) -> None:
    sa, betania = Organisation.objects.get(slug=SA), Organisation.objects.get(slug="betania")
    user = User.objects.get(username="outreach.sa")
    Membership.objects.create(user=user, organisation=betania, role=Role.OUTREACH_WORKER)
    theirs = factories.person(betania)
    client = login("outreach.sa")
    html = grid(client, locality="Sibiu", organisation=sa.pk).content.decode()
    assert f"/pick/persons/?org={sa.pk}&amp;field=id_persons" in html
    before = m.OutreachVisit.objects.count()
    response = client.post(URL, round_post(locality="Sibiu", organisation=sa.pk, persons=[theirs.pk]))
    assert response.status_code == 200
    expected = translated(
        "ro", "Someone chosen is not a person you may record for this organisation: choose again."
    )
    assert response.context["form"].errors["persons"] == [expected]
    assert m.OutreachVisit.objects.count() == before
