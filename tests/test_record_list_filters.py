"""Each filter of the record lists narrows the list to the records it names, and only those."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.records import actions
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db


def listed(client: Client, record_kind: str, **filters: Any) -> list[Any]:
    response = client.get(reverse(f"records:{record_kind}-list"), filters)
    assert response.status_code == 200
    if filters:
        assert response.context["filters"].is_valid(), response.context["filters"].errors
    return [obj for obj, _cells, _address in response.context["rows"]]


def test_partner_contacts_filter_by_kind(login: Callable[[str], Client]) -> None:
    sample = m.PartnerContact.objects.filter(organisation__slug="next-steps-nl").first()
    assert sample is not None
    police = actions.create_record(
        m.PartnerContact,
        acting_user=None,
        programme=sample.programme,
        organisation=sample.organisation,
        external_organisation=m.ExternalOrganisation.objects.create(
            name="Police academy", kind="law_enforcement"
        ),
        kind="law_enforcement",
        established="2021-09-01",
    )
    client = login("coordinator")
    everything = listed(client, "partner_contact")
    assert police in everything and len({c.kind for c in everything}) > 1
    assert listed(client, "partner_contact", kind="law_enforcement") == [police]
    ngos = listed(client, "partner_contact", kind="ngo")
    assert ngos and set(ngos) == {c for c in everything if c.kind == "ngo"}


def test_visits_filter_by_site_type(login: Callable[[str], Client]) -> None:
    client = login("outreach.sa")
    street = m.SiteType.objects.get(code="street")
    own = m.OutreachVisit.objects.filter(organisation__slug="salvation-army-ro")
    if not own.filter(site_type=street).exists():
        sample = own.first()
        assert sample is not None
        factories.visit(sample.programme, sample.organisation, sample.date, site="street")
    response = client.get(reverse("records:visit-list"), {"type": street.pk})
    rows = [obj for obj, _cells, _address in response.context["rows"]]
    assert rows and {v.site_type_id for v in rows} == {street.pk}
    assert response.context["page"].paginator.count == own.filter(site_type=street).count() < own.count()


def test_visits_filter_by_locality_in_any_case(login: Callable[[str], Client]) -> None:
    own = m.OutreachVisit.objects.filter(organisation__slug="salvation-army-ro")
    sample = own.first()
    assert sample is not None
    elsewhere = factories.visit(sample.programme, sample.organisation, sample.date, locality="Ploiești")
    client = login("outreach.sa")
    response = client.get(reverse("records:visit-list"), {"locality": "ploiești"})
    assert [obj for obj, _cells, _address in response.context["rows"]] == [elsewhere]
    # The list remembers its filters for the session: the whole list is the one with them cleared.
    everywhere = (
        client.get(reverse("records:visit-list"), {"clear": "1"}, follow=True).context["page"].paginator.count
    )
    assert everywhere == own.count() > 1
