"""Persons through the API, on the rules the web app keeps for them: scoped by the access module (other
organisations' persons do not exist), every read of one person audited in the person's organisation,
identifying fields encrypted at rest whatever way they arrive, and names found by keyed hashes only."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.actions import record_consent, share_case
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests.apiclient import ApiClient
from tests.test_encryption_migration import raw

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]
PERSONS = "/api/v1/records/persons"


def person_of(slug: str) -> m.Person:
    person = m.Person.objects.filter(organisation__slug=slug).order_by("pk").first()
    assert person is not None
    return person


def views_of(person: m.Person) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="view", model="records.Person", object_pk=str(person.pk)))


def test_an_api_read_of_a_person_writes_an_audit_entry(api: Api) -> None:
    person = person_of("salvation-army-ro")
    assert views_of(person) == []
    assert api("caseworker.sa").get(f"{PERSONS}/{person.pk}").status_code == 200
    [entry] = views_of(person)
    assert entry.user is not None and entry.user.username == "caseworker.sa"
    # In the person's organisation, so that its audit trail ("who viewed this") shows the read.
    assert entry.organisation_id == person.organisation_id


def test_a_change_through_the_api_is_audited_as_a_change_and_a_read(api: Api) -> None:
    person = person_of("salvation-army-ro")
    response = api("caseworker.sa").patch(f"{PERSONS}/{person.pk}", {"phone": "+40 700 000 111"})
    assert response.status_code == 200 and response.json()["given_name"] == person.given_name
    assert len(views_of(person)) == 1
    change = AuditEntry.objects.get(action="change", model="records.Person", object_pk=str(person.pk))
    assert change.fields == ["phone"]


def test_lists_of_persons_are_not_reads_of_identifying_details(api: Api) -> None:
    before = AuditEntry.objects.filter(action="view").count()
    rows = api("caseworker.sa").get(PERSONS, {"page_size": "200"}).json()["results"]
    assert rows and all("given_name" not in row and "family_name" not in row for row in rows)
    assert AuditEntry.objects.filter(action="view").count() == before


def test_the_api_hides_other_organisations_records_with_404(api: Api) -> None:
    client = api("caseworker.sa")
    case = m.Case.objects.filter(organisation__slug="ijm-ro").first()
    assert case is not None
    person = case.person
    for url in (f"{PERSONS}/{person.pk}", f"/api/v1/records/cases/{case.pk}"):
        for response in (client.get(url), client.patch(url, {}), client.delete(url)):
            assert response.status_code == 404, url
    listed = {row["id"] for row in client.get(PERSONS, {"page_size": "200"}).json()["results"]}
    assert person.pk not in listed and listed
    assert set(m.Person.objects.filter(pk__in=listed).values_list("organisation__slug", flat=True)) == {
        "salvation-army-ro"
    }
    assert views_of(person) == []


def test_a_shared_case_is_read_but_not_changed_by_the_organisation_it_was_shared_with(api: Api) -> None:
    case = m.Case.objects.filter(organisation__slug="ijm-ro").first()
    assert case is not None
    salvation_army = Organisation.objects.get(slug="salvation-army-ro")
    record_consent(
        acting_user=None,
        person=case.person,
        purpose="sharing",
        given_on=dt.date.today() - dt.timedelta(days=30),
        shared_with=salvation_army,
    )
    url = f"/api/v1/records/cases/{case.pk}"
    client = api("caseworker.sa")
    assert client.get(url).status_code == 404
    share_case(
        acting_user=User.objects.get(username="caseworker.ijm"), case=case, organisation=salvation_army
    )
    assert client.get(url).status_code == 200
    assert client.get(f"{PERSONS}/{case.person_id}").json()["code"] == case.person.code
    assert len(views_of(case.person)) == 1
    assert client.patch(url, {"status": case.status}).status_code == 404


def new_person(client: ApiClient, code: str, given_name: str, family_name: str) -> int:
    body = {"code": code, "sex": "female", "survivor_status": "no"}
    created = client.post(PERSONS, {**body, "given_name": given_name, "family_name": family_name})
    assert created.status_code == 201, created.json()
    return int(created.json()["id"])


def test_names_sent_to_the_api_are_stored_encrypted_and_read_back_in_clear(api: Api) -> None:
    client = api("caseworker.sa")
    pk = new_person(client, "API-ENC-1", "Zamfira", "Odobescu-Api")
    stored = raw(m.Person, pk, "given_name", "family_name")
    assert all(stored) and not any("Zamfira" in v or "Odobescu" in v for v in stored)
    detail = client.get(f"{PERSONS}/{pk}").json()
    assert (detail["given_name"], detail["family_name"]) == ("Zamfira", "Odobescu-Api")


def test_persons_are_found_by_whole_name_through_keyed_hashes_never_a_like_on_names(api: Api) -> None:
    client = api("caseworker.sa")
    pk = new_person(client, "API-SRCH-1", "Ștefan", "Țurcanu")
    with CaptureQueriesContext(connection) as queries:
        found = client.get(PERSONS, {"q": "stefan TURCANU"}).json()["results"]
    assert [row["id"] for row in found] == [pk]
    like_on_a_name = re.compile(r'(given_name|family_name)"(::text)?\)? i?like ', re.IGNORECASE)
    assert queries.captured_queries
    assert not [q["sql"] for q in queries.captured_queries if like_on_a_name.search(q["sql"])]
    # Names are encrypted: a part of a name cannot be found (only whole names hash the same).
    assert client.get(PERSONS, {"q": "Ștef"}).json()["results"] == []
    # Persons of other organisations are not found by their names either.
    assert api("caseworker.ijm").get(PERSONS, {"q": "Ștefan Țurcanu"}).json()["results"] == []
