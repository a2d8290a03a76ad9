"""Who may correct and remove a record (nextsteps/accounts/access.py, may_remove): a coordinator of the
record's organisation every record of it; whoever writes a kind what they entered themselves within the last
NEXTSTEPS_OWN_ENTRY_DAYS days. The pages and the API ask the same rule; anyone else gets 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nextsteps.accounts.models import Membership, Role, User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from tests import factories
from tests.apiclient import ApiClient
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]
REASON = {"reason": "Entered twice by mistake."}


def service_entered_by(username: str | None, *, days_ago: int = 0) -> m.ServiceDelivery:
    case = ijm_case()
    service = actions.record_service(
        acting_user=user(username) if username else None,
        case=case,
        service_type=m.ServiceType.objects.order_by("pk")[0],
        date=case.opened,
    )
    if days_ago:
        AuditEntry.objects.filter(
            model="records.ServiceDelivery", object_pk=str(service.pk), action="create"
        ).update(at=timezone.now() - dt.timedelta(days=days_ago))
    return service


def remove_on_page(client: Client, service: Any) -> int:
    url = reverse("records:service-delete", args=[service.pk])
    shown = client.get(url).status_code
    if shown != 200:
        return shown
    return int(client.post(url, REASON).status_code)


def test_a_caseworker_removes_their_own_recent_service_on_its_page(login: Callable[[str], Client]) -> None:
    service = service_entered_by("caseworker.ijm", days_ago=13)
    client = login("caseworker.ijm")
    detail = client.get(reverse("records:service-detail", args=[service.pk]))
    assert detail.context["can_delete"]
    assert remove_on_page(client, service) == 302
    assert not m.ServiceDelivery.objects.filter(pk=service.pk).exists()
    assert AuditEntry.objects.filter(
        action="delete",
        model="records.ServiceDelivery",
        object_pk=str(service.pk),
        user__username="caseworker.ijm",
    ).exists()


def test_a_caseworker_does_not_remove_a_service_someone_else_entered(login: Callable[[str], Client]) -> None:
    service = service_entered_by(None)
    client = login("caseworker.ijm")
    assert not client.get(reverse("records:service-detail", args=[service.pk])).context["can_delete"]
    edit = client.get(reverse("records:service-edit", args=[service.pk]))
    assert edit.status_code == 200 and not edit.context["can_delete"]
    assert remove_on_page(client, service) == 404
    assert client.post(reverse("records:service-delete", args=[service.pk]), REASON).status_code == 404
    assert m.ServiceDelivery.objects.filter(pk=service.pk).exists()


def test_a_caseworker_does_not_remove_their_own_service_after_fourteen_days(
    login: Callable[[str], Client], api: Api
) -> None:
    service = service_entered_by("caseworker.ijm", days_ago=15)
    assert remove_on_page(login("caseworker.ijm"), service) == 404
    response = api("caseworker.ijm").delete(f"/api/v1/records/services/{service.pk}", REASON)
    assert response.status_code == 404
    assert m.ServiceDelivery.objects.filter(pk=service.pk).exists()


def test_the_number_of_days_is_a_setting(login: Callable[[str], Client], settings: Any) -> None:
    settings.NEXTSTEPS_OWN_ENTRY_DAYS = 2
    service = service_entered_by("caseworker.ijm", days_ago=3)
    assert remove_on_page(login("caseworker.ijm"), service) == 404
    settings.NEXTSTEPS_OWN_ENTRY_DAYS = 4
    assert remove_on_page(login("caseworker.ijm"), service) == 302


def test_a_coordinator_removes_any_record_of_their_organisation(login: Callable[[str], Client]) -> None:
    case = m.Case.objects.filter(organisation__slug="next-steps-nl", services__isnull=False).first()
    assert case is not None
    service = case.services.first()
    assert service is not None
    url = reverse("records:service-delete", args=[service.pk])
    assert login("coordinator").post(url, REASON).status_code == 302
    assert not m.ServiceDelivery.objects.filter(pk=service.pk).exists()


def test_other_organisations_get_404_even_for_a_recent_entry(
    login: Callable[[str], Client], api: Api
) -> None:
    service = service_entered_by("caseworker.ijm")
    for persona in ("caseworker.sa", "coordinator", "outreach.sa"):
        assert remove_on_page(login(persona), service) == 404
        assert api(persona).delete(f"/api/v1/records/services/{service.pk}", REASON).status_code == 404
    assert m.ServiceDelivery.objects.filter(pk=service.pk).exists()


def test_an_outreach_worker_removes_their_own_visit_through_the_api_not_anothers(api: Api) -> None:
    organisation = Organisation.objects.get(slug="salvation-army-ro")
    programme = Programme.objects.get(slug="next-steps")
    mine = actions.record_outreach_round(
        acting_user=user("outreach.sa"),
        programme=programme,
        organisation=organisation,
        date=dt.date(2021, 9, 3),
        locality="Bucharest",
        site_type=m.SiteType.objects.order_by("pk")[0],
        persons=[],
    )
    theirs = m.OutreachVisit.objects.filter(organisation=organisation).exclude(pk=mine.pk).first()
    assert theirs is not None
    client = api("outreach.sa")
    assert client.delete(f"/api/v1/records/visits/{theirs.pk}", REASON).status_code == 404
    assert client.delete(f"/api/v1/records/visits/{mine.pk}", REASON).status_code == 204
    assert not m.OutreachVisit.objects.filter(pk=mine.pk).exists()
    assert m.OutreachVisit.objects.filter(pk=theirs.pk).exists()


def test_an_administrator_gives_an_organisation_without_a_coordinator_one(
    login: Callable[[str], Client],
) -> None:
    organisation = factories.organisation("Without a coordinator")
    administrator = User.objects.create_user("admin.new", password="x")
    Membership.objects.create(user=administrator, organisation=organisation, role=Role.ADMINISTRATOR)
    caseworker = User.objects.create_user("caseworker.new", password="x")
    Membership.objects.create(user=caseworker, organisation=organisation, role=Role.CASEWORKER)
    person = actions.create_record(m.Person, acting_user=None, organisation=organisation, code="NOCO-1")
    url = reverse("records:person-delete", args=[person.pk])
    assert login("caseworker.new").get(url).status_code == 404
    response = login("admin.new").post(
        reverse("team:role-add", args=[organisation.slug, caseworker.pk]), {"role": Role.COORDINATOR}
    )
    assert response.status_code == 302
    assert login("caseworker.new").post(url, REASON).status_code == 302
    assert not m.Person.objects.filter(pk=person.pk).exists()
