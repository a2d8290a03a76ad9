"""What the record forms offer beyond their plain fields: the organisations taking part in an activity,
the persons reached on a visit, and a new external organisation named while recording a partner contact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.records import models as m

pytestmark = pytest.mark.django_db

SA = "salvation-army-ro"


def test_an_activity_records_the_organisations_taking_part(login: Callable[[str], Client]) -> None:
    police, university = m.ExternalOrganisation.objects.bulk_create(
        [
            m.ExternalOrganisation(name="Bihor county anti-trafficking unit", kind="law_enforcement"),
            m.ExternalOrganisation(name="Oradea medical faculty", kind="university"),
        ]
    )
    response = login("prevention.dorcas").post(
        reverse("records:activity-create"),
        {
            "activity_type": m.ActivityType.objects.get(code="conference").pk,
            "title": "Conference with the police",
            "date": "2021-10-18",
            "locality": "Oradea",
            "attendance_total": "40",
            "participating_organisations": [police.pk, university.pk],
        },
    )
    assert response.status_code == 302
    activity = m.Activity.objects.get(title="Conference with the police")
    assert set(activity.participating_organisations.all()) == {police, university}


def visit_post(*persons: m.Person) -> dict[str, Any]:
    return {
        "date": "2021-10-05",
        "locality": "Bucharest",
        "site_type": m.SiteType.objects.get(code="street").pk,
        "persons": [p.pk for p in persons],
    }


def test_a_visit_records_the_persons_reached(login: Callable[[str], Client]) -> None:
    people = list(m.Person.objects.filter(organisation__slug=SA)[:2])
    response = login("outreach.sa").post(reverse("records:visit-create"), visit_post(*people))
    assert response.status_code == 302
    visit = m.OutreachVisit.objects.filter(organisation__slug=SA).order_by("-pk").first()
    assert visit is not None and response["Location"].endswith(f"/{visit.pk}/")
    assert set(visit.persons.all()) == set(people)


def test_a_visit_refuses_a_person_of_another_organisation(login: Callable[[str], Client]) -> None:
    own = m.Person.objects.filter(organisation__slug=SA).first()
    stranger = m.Person.objects.filter(organisation__slug="ijm-ro").first()
    assert own is not None and stranger is not None
    before = m.OutreachVisit.objects.count()
    response = login("outreach.sa").post(reverse("records:visit-create"), visit_post(own, stranger))
    assert response.status_code == 200
    assert response.context["form"].errors["persons"]
    assert m.OutreachVisit.objects.count() == before


def contact_post(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "university",
        "established": "2021-09-15",
        "status": "active",
        "locality": "Cluj-Napoca",
    }
    data.update(changes)
    return data


def test_a_partner_contact_names_a_new_external_organisation(login: Callable[[str], Client]) -> None:
    response = login("coordinator").post(
        reverse("records:partner_contact-create"),
        contact_post(new_external_organisation="Babeș-Bolyai University"),
    )
    assert response.status_code == 302
    created = m.ExternalOrganisation.objects.get(name="Babeș-Bolyai University")
    assert created.kind == "university"
    contact = m.PartnerContact.objects.get(external_organisation=created)
    assert contact.organisation.slug == "next-steps-nl"
    assert AuditEntry.objects.filter(
        action="create", model="records.ExternalOrganisation", object_pk=str(created.pk)
    ).exists()


def test_a_new_name_that_exists_already_is_the_existing_organisation(login: Callable[[str], Client]) -> None:
    existing = m.ExternalOrganisation.objects.create(name="West University of Timisoara", kind="university")
    before = m.ExternalOrganisation.objects.count()
    response = login("coordinator").post(
        reverse("records:partner_contact-create"),
        contact_post(new_external_organisation="west university of timisoara"),
    )
    assert response.status_code == 302
    assert m.ExternalOrganisation.objects.count() == before
    assert m.PartnerContact.objects.filter(external_organisation=existing).exists()


def test_a_partner_contact_needs_one_external_organisation(login: Callable[[str], Client]) -> None:
    existing = m.ExternalOrganisation.objects.create(name="Romanian Border Police", kind="law_enforcement")
    client = login("coordinator")
    before = (m.PartnerContact.objects.count(), m.ExternalOrganisation.objects.count())
    neither = client.post(reverse("records:partner_contact-create"), contact_post())
    assert neither.status_code == 200 and neither.context["form"].errors["external_organisation"]
    both = client.post(
        reverse("records:partner_contact-create"),
        contact_post(external_organisation=existing.pk, new_external_organisation="Another one"),
    )
    assert both.status_code == 200 and both.context["form"].errors["new_external_organisation"]
    assert (m.PartnerContact.objects.count(), m.ExternalOrganisation.objects.count()) == before


def test_a_refused_partner_contact_leaves_no_new_external_organisation(
    login: Callable[[str], Client],
) -> None:
    before = m.ExternalOrganisation.objects.count()
    response = login("coordinator").post(
        reverse("records:partner_contact-create"),
        contact_post(new_external_organisation="Orphan NGO", established="not a date"),
    )
    assert response.status_code == 200
    assert m.ExternalOrganisation.objects.count() == before


def test_roles_without_partner_contacts_cannot_name_external_organisations(
    login: Callable[[str], Client],
) -> None:
    before = m.ExternalOrganisation.objects.count()
    response = login("prevention.dorcas").post(
        reverse("records:partner_contact-create"), contact_post(new_external_organisation="Sneaky NGO")
    )
    assert response.status_code == 404
    assert m.ExternalOrganisation.objects.count() == before
