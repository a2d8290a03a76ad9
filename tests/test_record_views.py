"""Record pages: lists with filters and pagination in a fixed number of queries, audited detail views,
the outreach round, edits and deletes through the actions layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.records import models as m
from tests import factories
from tests.factories import open_case

pytestmark = pytest.mark.django_db


def test_the_visit_list_filters_by_date_and_pages(login: Callable[[str], Client]) -> None:
    client = login("outreach.sa")
    response = client.get(reverse("records:visit-list"), {"date_from": "2021-08-01", "date_to": "2021-08-31"})
    expected = m.OutreachVisit.objects.filter(
        organisation__slug="salvation-army-ro", date__range=("2021-08-01", "2021-08-31")
    ).count()
    assert response.context["page"].paginator.count == expected == 67
    assert len(response.context["rows"]) == 25


def test_a_long_list_counts_only_up_to_the_limit_and_says_so(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from nextsteps.records import views

    monkeypatch.setattr(views, "COUNT_LIMIT", 30)
    User.objects.filter(username="outreach.sa").update(language="en")  # the message is read in English
    client = login("outreach.sa")
    response = client.get(reverse("records:visit-list"))
    assert m.OutreachVisit.objects.filter(organisation__slug="salvation-army-ro").count() > 30
    paginator = response.context["page"].paginator
    assert (paginator.more, paginator.count, paginator.num_pages) == (True, 30, 2)
    assert "More than 30 records: only the first 30 can be paged through." in response.content.decode()
    assert len(client.get(reverse("records:visit-list"), {"page": "2"}).context["rows"]) == 5
    narrow = client.get(reverse("records:visit-list"), {"date_from": "2021-08-01", "date_to": "2021-08-03"})
    assert not narrow.context["page"].paginator.more
    assert "More than" not in narrow.content.decode()


def test_lists_cost_the_same_queries_for_any_page(
    login: Callable[[str], Client], django_assert_max_num_queries: Any
) -> None:
    client = login("outreach.sa")
    with django_assert_max_num_queries(12):
        client.get(reverse("records:visit-list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("records:visit-list"), {"page": "3", "q": "Bucharest"})


def test_it_hides_persons_of_other_organisations_from_lists(login: Callable[[str], Client]) -> None:
    response = login("caseworker.ijm").get(reverse("records:person-list"))
    listed = {obj.pk for obj, _cells, _address in response.context["rows"]}
    assert listed
    # IJM's own persons, and a person whose case another organisation referred to IJM and IJM accepted.
    own = set(m.Person.objects.filter(organisation__slug="ijm-ro").values_list("pk", flat=True))
    shared = set(
        m.Person.objects.filter(cases__shares__organisation__slug="ijm-ro").values_list("pk", flat=True)
    )
    assert listed <= own | shared
    assert (
        not listed
        & set(m.Person.objects.exclude(organisation__slug="ijm-ro").values_list("pk", flat=True)) - shared
    )


def test_viewing_a_person_is_written_to_the_audit_trail(login: Callable[[str], Client]) -> None:
    person = m.Person.objects.filter(organisation__slug="salvation-army-ro").first()
    assert person is not None
    login("outreach.sa").get(reverse("records:person-detail", args=[person.pk]))
    entry = AuditEntry.objects.filter(action="view", model="records.Person", object_pk=str(person.pk)).first()
    assert entry is not None and entry.user is not None and entry.user.username == "outreach.sa"


@pytest.mark.parametrize(("kind", "model"), [("person", m.Person), ("case", m.Case)])
def test_opening_the_edit_page_of_a_person_or_case_is_written_to_the_audit_trail(
    login: Callable[[str], Client], kind: str, model: Any
) -> None:
    obj = model.objects.filter(organisation__slug="ijm-ro").order_by("pk").first()
    assert obj is not None
    label = model._meta.label
    assert not AuditEntry.objects.filter(action="view", model=label, object_pk=str(obj.pk)).exists()
    response = login("caseworker.ijm").get(reverse(f"records:{kind}-edit", args=[obj.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="view", model=label, object_pk=str(obj.pk))
    assert entry.user is not None and entry.user.username == "caseworker.ijm"


def test_an_outreach_round_records_a_visit_per_household_and_new_people(
    login: Callable[[str], Client],
) -> None:
    households = list(m.Household.objects.filter(organisation__slug="salvation-army-ro")[:2])
    response = login("outreach.sa").post(
        reverse("records:outreach-round"),
        {
            "date": "2021-10-01",
            "locality": "Bucharest",
            "site_type": m.SiteType.objects.get(code="household").pk,
            "households": [h.pk for h in households],
            "new-TOTAL_FORMS": "2",
            "new-INITIAL_FORMS": "0",
            "new-0-code": "SA-NEW-1",
            "new-0-sex": "female",
            "new-0-birth_year": "1990",
            "new-1-code": "",
            "new-1-sex": "male",
            "new-1-birth_year": "2012",
        },
    )
    assert response.status_code == 302
    visits = m.OutreachVisit.objects.filter(date="2021-10-01", organisation__slug="salvation-army-ro")
    assert {v.household_id for v in visits} == {h.pk for h in households} | {None}
    newcomers = visits.get(household=None).persons.all()
    assert sorted(p.sex for p in newcomers) == ["female", "male"]
    assert m.Person.objects.filter(code="SA-NEW-1", organisation__slug="salvation-army-ro").exists()


def test_an_edit_is_audited_by_field_name(login: Callable[[str], Client]) -> None:
    activity = m.Activity.objects.filter(
        organisation__slug="dorcas-ro", activity_type__code="school_session"
    ).first()
    assert activity is not None
    response = login("prevention.dorcas").post(
        reverse("records:activity-edit", args=[activity.pk]),
        {
            "activity_type": activity.activity_type_id,
            "title": "Renamed session",
            "date": activity.date.isoformat(),
            "locality": activity.locality,
            "attendance_total": activity.attendance_total,
            "attendance_girls": activity.attendance_girls or "",
            "attendance_boys": activity.attendance_boys or "",
            "attendance_women": activity.attendance_women or "",
            "pillar": activity.pillar_id or "",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(
        action="change", model="records.Activity", object_pk=str(activity.pk)
    ).get()
    assert entry.fields == ["title"]


def test_a_delete_asks_first_then_removes_and_audits(login: Callable[[str], Client]) -> None:
    volunteer = m.Volunteer.objects.filter(organisation__slug="dorcas-ro").first()
    assert volunteer is not None
    client = login("volunteers.dorcas")
    url = reverse("records:volunteer-delete", args=[volunteer.pk])
    assert client.get(url).status_code == 200
    assert m.Volunteer.objects.filter(pk=volunteer.pk).exists()
    assert client.post(url, {"reason": "Signed up twice."}).status_code == 302
    assert not m.Volunteer.objects.filter(pk=volunteer.pk).exists()
    assert AuditEntry.objects.filter(
        action="delete", model="records.Volunteer", object_pk=str(volunteer.pk)
    ).exists()


def test_a_volunteer_sign_up_is_one_short_form(login: Callable[[str], Client]) -> None:
    response = login("volunteers.dorcas").post(
        reverse("records:volunteer-create"),
        {"code": "VOL-NEW", "signed_up": "2021-10-02", "status": "active"},
    )
    assert response.status_code == 302
    assert m.Volunteer.objects.get(code="VOL-NEW").organisation.slug == "dorcas-ro"


def test_persons_are_found_by_name_without_diacritics(login: Callable[[str], Client]) -> None:
    person = m.Person.objects.filter(organisation__slug="salvation-army-ro").exclude(family_name="").first()
    assert person is not None
    plain = person.family_name.replace("ș", "s").replace("ă", "a").replace("â", "a").replace("ț", "t").lower()
    response = login("outreach.sa").get(reverse("records:person-list"), {"q": plain})
    codes = {obj.code for obj, _cells, _address in response.context["rows"]}
    assert person.code in codes
    assert (
        response.context["page"].paginator.count
        == m.Person.objects.filter(
            organisation__slug="salvation-army-ro", family_name_hash=person.family_name_hash
        ).count()
    )


def test_a_case_with_services_is_not_deleted_and_the_question_says_why(
    login: Callable[[str], Client],
) -> None:
    case = m.Case.objects.filter(organisation__slug="next-steps-nl", services__isnull=False).first()
    assert case is not None
    services = case.services.count()
    client = login("coordinator")
    url = reverse("records:case-delete", args=[case.pk])
    question = client.get(url)
    assert question.context["blocked"] and b'class="danger"' not in question.content
    assert client.post(url).status_code == 302
    assert m.Case.objects.filter(pk=case.pk).exists()
    assert m.ServiceDelivery.objects.filter(case=case).count() == services
    assert not AuditEntry.objects.filter(
        action="delete", model="records.Case", object_pk=str(case.pk)
    ).exists()


def test_a_case_without_services_or_outcomes_is_deleted(login: Callable[[str], Client]) -> None:

    other = m.Case.objects.filter(organisation__slug="next-steps-nl").first()
    assert other is not None
    # Someone without an open case: a person has one open case per organisation and programme.
    person = factories.person(other.organisation)
    case = open_case(
        acting_user=None,
        programme=other.programme,
        organisation=person.organisation,
        person=person,
        opened="2021-09-01",
    )
    client = login("coordinator")
    url = reverse("records:case-delete", args=[case.pk])
    assert not client.get(url).context["blocked"]
    assert client.post(url, {"reason": "Opened by mistake."}).status_code == 302
    assert not m.Case.objects.filter(pk=case.pk).exists()
