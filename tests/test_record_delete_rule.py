"""One delete rule for every path (pages, API): a record that others refer to or that would take records with
it is kept with the reason in the user's language; whatever goes along with a deleted record is audited row
by row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nextsteps.accounts.models import Role
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.models import CaseShare
from nextsteps.programmes.models import Organisation
from nextsteps.records import actions
from nextsteps.records import models as m
from tests.apiclient import ApiClient
from tests.factories import open_case
from tests.importing import importer_of

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]


def case_with_services_and_outcomes() -> m.Case:
    case = (
        m.Case.objects.filter(organisation__slug="next-steps-nl", services__isnull=False)
        .filter(outcomes__isnull=False)
        .first()
    )
    if case is None:
        case = m.Case.objects.filter(organisation__slug="next-steps-nl", services__isnull=False).first()
        assert case is not None
        m.Outcome.objects.create(
            case=case, outcome_type=m.OutcomeType.objects.order_by("pk")[0], date=case.opened
        )
    return case


def bare_case() -> m.Case:
    other = m.Case.objects.filter(organisation__slug="next-steps-nl").first()
    assert other is not None
    # A person of their own: one open case per person, organisation and programme.
    person = actions.create_record(
        m.Person, acting_user=None, organisation=other.organisation, code="DELETE-RULE-1"
    )
    return open_case(
        acting_user=None,
        programme=other.programme,
        organisation=other.organisation,
        person=person,
        opened=dt.date(2021, 9, 1),
    )


def test_the_api_keeps_a_case_with_services_and_outcomes_and_says_why(api: Api) -> None:
    case = case_with_services_and_outcomes()
    services, outcomes = case.services.count(), case.outcomes.count()
    response = api("coordinator").delete(f"/api/v1/records/cases/{case.pk}", {"reason": "A mistake."})
    assert response.status_code == 409
    message = response.json()["message"]
    # The coordinator works in Dutch: the reason names what keeps the case, in Dutch.
    with translation.override("nl"):
        assert str(m.ServiceDelivery._meta.verbose_name_plural) in message
        assert str(m.Outcome._meta.verbose_name_plural) in message
    assert m.Case.objects.filter(pk=case.pk).exists()
    assert (case.services.count(), case.outcomes.count()) == (services, outcomes)
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_the_api_keeps_a_person_with_cases_and_names_them(api: Api) -> None:
    person = m.Person.objects.filter(organisation__slug="next-steps-nl", cases__isnull=False).first()
    assert person is not None
    response = api("coordinator").delete(f"/api/v1/records/persons/{person.pk}")
    assert response.status_code == 409
    with translation.override("nl"):
        assert str(m.Case._meta.verbose_name_plural) in response.json()["message"]
    assert m.Person.objects.filter(pk=person.pk).exists()


def test_the_page_refuses_the_same_case_with_the_same_reason(login: Callable[[str], Client]) -> None:
    case = case_with_services_and_outcomes()
    client = login("coordinator")
    url = reverse("records:case-delete", args=[case.pk])
    question = client.get(url)
    reason = question.context["blocked"]
    with translation.override("nl"):
        assert str(m.ServiceDelivery._meta.verbose_name_plural) in reason
        assert str(m.Outcome._meta.verbose_name_plural) in reason
    assert b'class="danger"' not in question.content
    response = client.post(url, follow=True)
    assert reason in [str(message) for message in response.context["messages"]]
    assert m.Case.objects.filter(pk=case.pk).exists()
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_a_case_deleted_through_the_api_takes_its_shares_with_an_entry_each(api: Api) -> None:
    case = bare_case()
    shares = [
        CaseShare.objects.create(case=case, organisation=organisation, shared_on=dt.date(2021, 9, 2))
        for organisation in Organisation.objects.exclude(pk=case.organisation_id)[:2]
    ]
    response = api("coordinator").delete(f"/api/v1/records/cases/{case.pk}", {"reason": "A mistake."})
    assert response.status_code == 204
    assert not m.Case.objects.filter(pk=case.pk).exists()
    assert set(
        AuditEntry.objects.filter(action="delete", model="privacy.CaseShare").values_list(
            "object_pk", flat=True
        )
    ) == {str(share.pk) for share in shares}
    assert AuditEntry.objects.filter(action="delete", model="records.Case", object_pk=str(case.pk)).exists()


def test_a_visit_deleted_on_its_page_audits_every_person_reached_on_it(
    login: Callable[[str], Client],
) -> None:
    visit = m.OutreachVisit.objects.filter(
        organisation__slug="salvation-army-ro", reached__isnull=False
    ).first()
    assert visit is not None
    links = {str(pk) for pk in visit.reached.values_list("pk", flat=True)}
    persons = set(visit.persons.values_list("pk", flat=True))
    coordinator = login("coordinator")
    # The coordinator of another organisation does not find it at all.
    assert coordinator.post(reverse("records:visit-delete", args=[visit.pk])).status_code == 404
    client = login(importer_of(visit.organisation, Role.COORDINATOR).username)
    response = client.post(reverse("records:visit-delete", args=[visit.pk]), {"reason": "Entered twice."})
    assert response.status_code == 302
    assert not m.OutreachVisit.objects.filter(pk=visit.pk).exists()
    logged = AuditEntry.objects.filter(action="delete", model="records.VisitPerson")
    assert set(logged.values_list("object_pk", flat=True)) == links
    # The persons themselves stay.
    assert m.Person.objects.filter(pk__in=persons).count() == len(persons)


def test_a_person_deleted_out_of_a_household_shows_in_the_household_trail(api: Api) -> None:
    household = m.Household.objects.filter(organisation__slug="next-steps-nl").first()
    if household is None:
        household = m.Household.objects.create(
            organisation=Organisation.objects.get(slug="next-steps-nl"), code="HH-DEL-1"
        )
    person = actions.create_record(
        m.Person, acting_user=None, organisation=household.organisation, code="DEL-0001", sex=m.Sex.FEMALE
    )
    household.members.add(person)
    response = api("coordinator").delete(f"/api/v1/records/persons/{person.pk}", {"reason": "A mistake."})
    assert response.status_code == 204
    assert AuditEntry.objects.filter(
        action="change", model="records.Household", object_pk=str(household.pk), fields=["members"]
    ).exists()


def test_a_campaign_deleted_clears_its_volunteers_reference_with_an_entry_each(api: Api) -> None:
    volunteer = m.Volunteer.objects.filter(organisation__slug="dorcas-ro").first()
    assert volunteer is not None
    campaign = actions.create_record(
        m.Campaign,
        acting_user=None,
        programme=volunteer.programme,
        organisation=volunteer.organisation,
        slug="deleted-soon",
        name="Deleted soon",
        start=dt.date(2021, 9, 1),
        end=dt.date(2021, 9, 30),
    )
    m.Volunteer.objects.filter(pk=volunteer.pk).update(campaign=campaign)
    response = api("volunteers.dorcas").delete(
        f"/api/v1/records/campaigns/{campaign.pk}", {"reason": "Never held."}
    )
    assert response.status_code == 204
    volunteer.refresh_from_db()
    assert volunteer.campaign is None
    assert AuditEntry.objects.filter(
        action="change", model="records.Volunteer", object_pk=str(volunteer.pk), fields=["campaign"]
    ).exists()
