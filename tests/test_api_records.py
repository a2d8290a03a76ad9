"""Records through the API: pages and filters in a fixed number of queries, the same scoping and form
validation as the web app, writes through the actions layer, and audited reads of person-level records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests import factories
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def ijm_case() -> m.Case:
    # The earliest: the services these tests record fall inside its open period.
    case = m.Case.objects.filter(organisation__slug="ijm-ro").order_by("opened", "pk").first()
    assert case is not None
    return case


def test_the_visit_list_filters_by_date_and_pages(api: Api) -> None:
    client = api("outreach.sa")
    period = {"date_from": "2021-08-01", "date_to": "2021-08-31", "page_size": "25"}
    first = client.get("/api/v1/records/visits", period).json()
    last = client.get("/api/v1/records/visits", {**period, "page": "3"}).json()
    expected = m.OutreachVisit.objects.filter(
        organisation__slug="salvation-army-ro", date__range=("2021-08-01", "2021-08-31")
    )
    assert first["count"] == last["count"] == expected.count() == 67
    assert (first["pages"], len(first["results"]), len(last["results"])) == (3, 25, 17)
    seen = {row["id"] for row in first["results"]} | {row["id"] for row in last["results"]}
    assert len(seen) == 42 and seen <= set(expected.values_list("pk", flat=True))
    dates = [row["date"] for row in first["results"]]
    assert dates == sorted(dates, reverse=True) and "2021-08-01" <= dates[-1] <= dates[0] <= "2021-08-31"


def test_a_page_after_the_last_is_empty(api: Api) -> None:
    body = api("outreach.sa").get("/api/v1/records/visits", {"page": "1000"}).json()
    assert body["count"] > 0 and body["results"] == []


def test_lists_filter_by_type_locality_and_organisation(api: Api) -> None:
    client = api("outreach.sa")
    site = m.SiteType.objects.get(code="household")
    by_type = client.get("/api/v1/records/visits", {"type": site.pk, "page_size": "200"}).json()
    assert (
        by_type["count"]
        == m.OutreachVisit.objects.filter(organisation__slug="salvation-army-ro", site_type=site).count()
    )
    assert {row["site_type"] for row in by_type["results"]} == {site.pk}
    visit = m.OutreachVisit.objects.filter(organisation__slug="salvation-army-ro").first()
    assert visit is not None
    by_place = client.get("/api/v1/records/visits", {"locality": visit.locality.upper()}).json()
    assert (
        by_place["count"]
        == m.OutreachVisit.objects.filter(
            organisation__slug="salvation-army-ro", locality__iexact=visit.locality
        ).count()
    )
    own = Organisation.objects.get(slug="salvation-army-ro")
    assert (
        client.get("/api/v1/records/visits", {"organisation": own.pk}).json()["count"]
        == (client.get("/api/v1/records/visits").json()["count"])
    )


def test_filtering_by_an_organisation_that_is_not_yours_is_refused(api: Api) -> None:
    other = Organisation.objects.get(slug="ijm-ro")
    response = api("outreach.sa").get("/api/v1/records/visits", {"organisation": other.pk})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["organisation"]


def test_bad_filters_get_a_message_per_filter(api: Api) -> None:
    response = api("outreach.sa").get(
        "/api/v1/records/visits",
        {"date_from": "2021-09-01", "date_to": "2021-08-01", "page_size": "1000", "colour": "red"},
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {"date_to", "page_size", "colour"}
    assert body["errors"]["date_to"] == [in_language("ro", "The period ends before it starts.")]
    # Dates are ISO dates whatever the user's language, so a script reads the same in every country.
    assert api("outreach.sa").get("/api/v1/records/visits", {"date_from": "01.08.2021"}).status_code == 422
    # Persons have no date: a date filter there is an error, not silently ignored.
    assert api("outreach.sa").get("/api/v1/records/persons", {"date_from": "2021-08-01"}).status_code == 422


@pytest.mark.parametrize(
    ("persona", "slug"),
    [("outreach.sa", "visits"), ("outreach.sa", "households"), ("prevention.dorcas", "activities")],
)
def test_list_queries_do_not_depend_on_page_size_or_records(api: Api, persona: str, slug: str) -> None:
    """Related ids and many-to-many lists are fetched once per page, never once per record."""
    client = api(persona)
    client.get("/api/v1/me")  # the token's first use writes its "last used" time; later ones do not
    counts = []
    for size in ("1", "10", "200"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/records/{slug}", {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(int(size), response.json()["count"])
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
    assert counts[0] <= 8


def test_lists_leave_out_identifying_details_that_the_audited_detail_shows(api: Api) -> None:
    person = m.Person.objects.filter(organisation__slug="salvation-army-ro").exclude(given_name="").first()
    assert person is not None
    client = api("caseworker.sa")
    row = next(r for r in client.get("/api/v1/records/persons", {"page_size": "200"}).json()["results"])
    assert "given_name" not in row and "phone" not in row and "code" in row
    before = AuditEntry.objects.filter(action="view", object_pk=str(person.pk)).count()
    detail = client.get(f"/api/v1/records/persons/{person.pk}").json()
    assert detail["given_name"] == person.given_name and detail["code"] == person.code
    entry = AuditEntry.objects.filter(action="view", model="records.Person", object_pk=str(person.pk)).first()
    assert entry is not None and entry.user is not None and entry.user.username == "caseworker.sa"
    assert AuditEntry.objects.filter(action="view", object_pk=str(person.pk)).count() == before + 1


def test_records_of_other_organisations_are_404_to_every_method(api: Api) -> None:
    person = m.Person.objects.filter(organisation__slug="salvation-army-ro").first()
    assert person is not None
    client = api("caseworker.ijm")
    url = f"/api/v1/records/persons/{person.pk}"
    for response in (client.get(url), client.patch(url, {"code": "X"}), client.delete(url)):
        assert response.status_code == 404
        assert response.json() == {
            "message": in_language("ro", "There is no such record or page, or you may not see it.")
        }
    person.refresh_from_db()
    assert person.code != "X"


def test_a_new_service_is_saved_through_the_actions_layer(api: Api) -> None:
    case = ijm_case()
    legal = m.ServiceType.objects.get(code="legal_support")
    response = api("caseworker.ijm").post(
        "/api/v1/records/services",
        {"case": case.pk, "service_type": legal.pk, "date": "2021-09-01", "note": "Met at the court."},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    service = m.ServiceDelivery.objects.get(pk=body["id"])
    assert (service.case, service.service_type, service.note) == (case, legal, "Met at the court.")
    assert body["note"] == "Met at the court." and body["date"] == "2021-09-01"
    entry = AuditEntry.objects.get(
        action="create", model="records.ServiceDelivery", object_pk=str(service.pk)
    )
    assert entry.user == User.objects.get(username="caseworker.ijm")


def test_bad_input_gets_field_errors_in_the_users_language_and_nothing_is_saved(api: Api) -> None:
    client = api("caseworker.ijm")
    before = (m.ServiceDelivery.objects.count(), AuditEntry.objects.count())
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        "/api/v1/records/services", {"case": ijm_case().pk, "date": future, "note": 5, "colour": "red"}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"note", "colour"}  # JSON types are checked first, for every field at once
    response = client.post("/api/v1/records/services", {"case": ijm_case().pk, "date": future})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["date"] == [in_language("ro", "A service cannot be delivered in the future.")]
    assert errors["service_type"] == [in_language("ro", "This field is required.")]
    assert errors["service_type"] != ["This field is required."]  # Romanian, for a Romanian caseworker
    assert (m.ServiceDelivery.objects.count(), AuditEntry.objects.count()) == before


def test_a_person_of_another_organisation_cannot_be_linked(api: Api) -> None:
    stranger = m.Person.objects.filter(organisation__slug="salvation-army-ro").first()
    assert stranger is not None
    before = m.Case.objects.count()
    response = api("caseworker.ijm").post(
        "/api/v1/records/cases", {"person": stranger.pk, "opened": "2021-09-01", "status": "open"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["person"]
    assert m.Case.objects.count() == before


def test_a_closing_without_a_reason_is_refused(api: Api) -> None:
    case = ijm_case()
    closed = max(case.opened, dt.date(2021, 12, 1)).isoformat()
    response = api("caseworker.ijm").patch(
        f"/api/v1/records/cases/{case.pk}", {"status": "closed", "closed": closed}
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["closure_reason"]
    case.refresh_from_db()
    assert case.status == "open"


def test_a_change_sends_only_what_changes_and_is_audited(api: Api) -> None:
    case = ijm_case()
    person, opened = case.person_id, case.opened
    closed = max(opened, dt.date(2021, 12, 1)).isoformat()
    reason = m.ClosureReason.objects.get(code="goals_reached")
    response = api("caseworker.ijm").patch(
        f"/api/v1/records/cases/{case.pk}",
        {"status": "closed", "closed": closed, "closure_reason": reason.pk},
    )
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert (case.status, case.closed.isoformat() if case.closed else None) == ("closed", closed)
    assert (case.person_id, case.opened) == (person, opened)
    entry = AuditEntry.objects.filter(action="change", model="records.Case", object_pk=str(case.pk)).first()
    assert entry is not None and entry.fields == ["closed", "closure_reason", "status"]


def test_a_change_is_validated_like_the_form(api: Api) -> None:
    case = ijm_case()
    day_before = (case.opened - dt.timedelta(days=1)).isoformat()
    response = api("caseworker.ijm").patch(f"/api/v1/records/cases/{case.pk}", {"closed": day_before})
    assert response.status_code == 422
    assert response.json()["errors"]["closed"] == [in_language("ro", "A case cannot close before it opened.")]
    case.refresh_from_db()
    assert case.closed != dt.date.fromisoformat(day_before)


def test_a_record_others_refer_to_cannot_be_deleted(api: Api) -> None:
    person = m.Person.objects.filter(organisation__slug="next-steps-nl", cases__isnull=False).first()
    assert person is not None
    response = api("coordinator").delete(f"/api/v1/records/persons/{person.pk}")
    assert response.status_code == 409
    with translation.override("nl"):
        assert str(m.Case._meta.verbose_name_plural) in response.json()["message"]
    assert m.Person.objects.filter(pk=person.pk).exists()
    assert not AuditEntry.objects.filter(action="delete", object_pk=str(person.pk)).exists()


def test_deleting_a_record_is_audited(api: Api) -> None:
    activity = m.Activity.objects.filter(organisation__slug="dorcas-ro").first()
    assert activity is not None
    response = api("prevention.dorcas").delete(
        f"/api/v1/records/activities/{activity.pk}", {"reason": "Held once, entered twice."}
    )
    assert response.status_code == 204
    assert not m.Activity.objects.filter(pk=activity.pk).exists()
    assert AuditEntry.objects.filter(
        action="delete", model="records.Activity", object_pk=str(activity.pk)
    ).exists()


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"[" * 100_000])
def test_a_body_that_is_not_a_json_object_is_refused(api: Api, body: bytes) -> None:
    client = api("caseworker.ijm").client
    response = client.post("/api/v1/records/cases", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"]


def test_a_new_record_belongs_to_the_programme_named(api: Api) -> None:
    client = api("caseworker.ijm")
    # Someone without an open case: a person has one open case per organisation and programme.
    person = factories.person(Organisation.objects.get(slug="ijm-ro"))
    assert person is not None
    # Consent for services is asked at intake: the case opens with it.
    body = {"person": person.pk, "opened": "2021-09-01", "status": "open", "services_consent": True}
    response = client.client.post(
        "/api/v1/records/cases?programme=next-steps", body, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["programme"] == "next-steps"
    assert (
        client.client.post(
            "/api/v1/records/cases?programme=someone-elses", body, content_type="application/json"
        ).status_code
        == 404
    )


def test_messages_follow_the_language_the_user_chose(api: Api) -> None:
    client = api("caseworker.ijm")
    User.objects.filter(username="caseworker.ijm").update(language="nl")
    response = client.post("/api/v1/records/services", {})
    assert response.json()["errors"]["case"] == [in_language("nl", "This field is required.")]
    assert response["Content-Language"] == "nl"


def test_dates_in_a_body_are_iso_dates_whatever_the_language(api: Api) -> None:
    User.objects.filter(username="caseworker.ijm").update(language="nl")
    client = api("caseworker.ijm")
    person = m.Person.objects.filter(organisation__slug="ijm-ro").first()
    assert person is not None
    # A Dutch form would read 01-09-2021 as 1 September; a script must not depend on its user's language.
    response = client.post(
        "/api/v1/records/cases", {"person": person.pk, "opened": "01-09-2021", "status": "open"}
    )
    assert response.status_code == 422 and list(response.json()["errors"]) == ["opened"]


def test_a_rule_only_the_model_checks_still_gets_a_422(api: Api) -> None:
    """A campaign's slug is unique per programme, which its form cannot see: the model's check answers."""
    campaign = m.Campaign.objects.filter(organisation__slug="dorcas-ro").first()
    assert campaign is not None
    before = m.Campaign.objects.count()
    body = {"name": "Again", "slug": campaign.slug, "start": "2021-09-01", "end": "2021-09-30"}
    response = api("volunteers.dorcas").post("/api/v1/records/campaigns", body)
    assert response.status_code == 422 and list(response.json()["errors"]) == ["slug"]
    assert m.Campaign.objects.count() == before
