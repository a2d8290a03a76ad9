"""The Picker widget (nextsteps/widgets.py) on the record forms: no list of every person, household or case in
the page, whatever their number; the field's scoped queryset still decides what is valid; without JavaScript
a typed code is looked up among the field's own choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records.forms import FORMS
from nextsteps.records.models import Case, Household, Person, ServiceDelivery, ServiceType
from nextsteps.widgets import Picker
from tests import factories as f
from tests.casework_helpers import user

pytestmark = pytest.mark.django_db

Login = Callable[[str], Client]


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def person(organisation: Organisation, code: str) -> Person:
    return actions.create_record(Person, acting_user=None, organisation=organisation, code=code)


def bulk(organisation: Organisation, count: int) -> None:
    """Persons, households and (open) cases of the demo programme up to `count` of each."""
    start = Person.objects.filter(code__startswith="WID-").count()
    persons = Person.objects.bulk_create(
        [Person(organisation=organisation, code=f"WID-{n:04d}") for n in range(start, count)]
    )
    programme = Programme.objects.get(slug="next-steps")
    Case.objects.bulk_create(
        [
            Case(programme=programme, organisation=organisation, person=p, opened=dt.date(2022, 1, 3))
            for p in persons
        ]
    )
    Household.objects.bulk_create(
        [
            Household(organisation=organisation, code=f"WIDH-{n:04d}", locality="X")
            for n in range(start, count)
        ]
    )


@pytest.fixture
def sa_case(demo: Programme) -> Case:
    return f.open_case(
        programme=demo,
        organisation=org("salvation-army-ro"),
        person=person(org("salvation-army-ro"), "WPick-001"),
        opened=dt.date(2022, 2, 1),
    )


@pytest.mark.parametrize(
    "persona,page",
    [
        ("outreach.sa", "records:household-create"),
        ("outreach.sa", "records:visit-create"),
        ("caseworker.sa", "records:case-create"),
        ("caseworker.sa", "records:service-create"),
        ("caseworker.sa", "records:story-create"),
    ],
)
def test_a_form_page_does_not_grow_with_the_number_of_records(login: Login, persona: str, page: str) -> None:
    client = login(persona)
    sizes, counts = [], []
    for size in (10, 200):
        bulk(org("salvation-army-ro"), size)
        client.get(reverse(page))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(page))
        assert response.status_code == 200
        html = response.content.decode()
        assert "WID-0001" not in html and "WIDH-0001" not in html
        sizes.append(len(html))
        counts.append(len(queries))
    assert sizes[0] == sizes[1] and counts[0] == counts[1], (sizes, counts)


def test_the_picker_asks_for_the_forms_organisations_and_programme(login: Login, demo: Programme) -> None:
    html = login("caseworker.sa").get(reverse("records:service-create")).content.decode()
    sa = org("salvation-army-ro")
    assert f"/pick/cases/?org={sa.pk}&amp;programme={demo.pk}&amp;field=id_case" in html
    assert 'role="combobox"' in html and 'role="listbox"' in html and 'name="case"' in html


def test_a_forged_key_of_another_organisations_case_is_refused(login: Login, demo: Programme) -> None:
    ijm_case = Case.objects.filter(organisation__slug="ijm-ro", programme=demo).first()
    assert ijm_case is not None
    before = ServiceDelivery.objects.count()
    response = login("caseworker.sa").post(
        reverse("records:service-create"),
        {
            "case": ijm_case.pk,
            "service_type": ServiceType.objects.get(code="legal_support").pk,
            "date": "2022-03-01",
        },
    )
    assert response.status_code == 200
    assert "case" in response.context["form"].errors
    assert ServiceDelivery.objects.count() == before
    # Nor is it shown as the current value of the re-displayed form.
    assert str(ijm_case.person.code) not in response.content.decode()


def test_a_forged_member_of_another_organisation_is_refused(login: Login) -> None:
    stranger = person(org("ijm-ro"), "WPick-IJM-1")
    response = login("outreach.sa").post(
        reverse("records:household-create"),
        {"code": "WPICK-H1", "locality": "Ferentari", "members": [stranger.pk]},
    )
    assert "members" in response.context["form"].errors
    assert not Household.objects.filter(code="WPICK-H1").exists()


def test_chosen_members_are_saved_and_shown_ticked_with_their_code(login: Login) -> None:
    sa = org("salvation-army-ro")
    ana, maria = person(sa, "WPick-Ana"), person(sa, "WPick-Maria")
    client = login("outreach.sa")
    response = client.post(
        reverse("records:household-create"),
        {"code": "WPICK-H2", "locality": "Ferentari", "members": [ana.pk, maria.pk]},
    )
    assert response.status_code == 302, response.context["form"].errors
    household = Household.objects.get(code="WPICK-H2")
    assert set(household.members.all()) == {ana, maria}
    html = client.get(reverse("records:household-edit", args=[household.pk])).content.decode()
    assert f'value="{ana.pk}" checked' in html and "WPick-Ana" in html


def test_without_javascript_a_typed_code_is_looked_up_in_any_case(login: Login, sa_case: Case) -> None:
    client = login("caseworker.sa")
    data = {"service_type": ServiceType.objects.get(code="legal_support").pk, "date": "2022-03-01"}
    response = client.post(reverse("records:service-create"), {**data, "case__code": "wpick-001"})
    assert response.status_code == 302, response.context["form"].errors
    assert ServiceDelivery.objects.filter(case=sa_case).count() == 1
    # Another organisation's code is not a choice here, typed or not.
    ijm_code = Case.objects.filter(organisation__slug="ijm-ro").first().person.code  # type: ignore[union-attr]
    response = client.post(reverse("records:service-create"), {**data, "case__code": ijm_code})
    assert response.status_code == 200 and "case" in response.context["form"].errors


def test_without_javascript_members_are_typed_as_codes(login: Login) -> None:
    sa = org("salvation-army-ro")
    ana, maria = person(sa, "WPick-A2"), person(sa, "WPick-M2")
    response = login("outreach.sa").post(
        reverse("records:household-create"),
        {
            "code": "WPICK-H3",
            "locality": "Ferentari",
            "members": [ana.pk],
            "members__code": "wpick-m2, nobody-9",
        },
    )
    form = response.context["form"]
    assert "members" in form.errors and "nobody-9" in str(form.errors["members"])
    response = login("outreach.sa").post(
        reverse("records:household-create"),
        {"code": "WPICK-H3", "locality": "Ferentari", "members": [ana.pk], "members__code": "wpick-m2"},
    )
    assert response.status_code == 302
    assert set(Household.objects.get(code="WPICK-H3").members.all()) == {ana, maria}


def test_an_untouched_case_keeps_its_value_when_the_form_is_sent_again(
    sa_case: Case, demo: Programme
) -> None:
    """Without JavaScript the text shows the case as it was rendered ("code (date)"): sent back, it stands."""
    form = FORMS["service"](user=user("caseworker.sa"), programme=demo, initial={"case": sa_case.pk})
    widget = form.fields["case"].widget
    assert isinstance(widget, Picker)
    label = widget.get_context("case", sa_case.pk, {"id": "id_case"})["widget"]["text"]
    assert label == str(sa_case)
    data = {"case": str(sa_case.pk), "case__code": label, "service_type": "1", "date": "2022-03-01"}
    bound = FORMS["service"](data, user=user("caseworker.sa"), programme=demo)
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["case"] == sa_case


def test_the_api_form_still_takes_a_key(sa_case: Case, demo: Programme) -> None:
    data: dict[str, Any] = {
        "case": sa_case.pk,
        "service_type": ServiceType.objects.get(code="legal_support").pk,
        "date": "2022-03-01",
    }
    form = FORMS["service"](data, user=user("caseworker.sa"), programme=demo)
    assert form.is_valid(), form.errors


def test_a_typed_code_of_digits_that_finds_no_one_is_never_read_as_a_key(login: Login) -> None:
    # Typed without choosing, "<a person's key>" must not choose that person: it is a code no one has.
    sa = org("salvation-army-ro")
    other = person(sa, "WPick-K1")
    response = login("outreach.sa").post(
        reverse("records:household-create"),
        {"code": "WPICK-H4", "locality": "Ferentari", "members__code": str(other.pk)},
    )
    assert response.status_code == 200
    assert str(other.pk) in str(response.context["form"].errors["members"])
    assert not Household.objects.filter(code="WPICK-H4").exists()
