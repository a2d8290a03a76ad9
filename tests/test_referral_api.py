"""Referrals through the JSON API: the Dutch office refers a case to IJM Romania, IJM answers; the web pages'
rules (who sees and who takes each step, 404 otherwise), the consent rule as a 400 that names the missing
consent, a step no longer possible as a 409, and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nextsteps.audit.models import AuditEntry
from nextsteps.records import models as m
from nextsteps.referrals.models import Referral
from tests.apiclient import ApiClient
from tests.referrals import consent_to_share, nl_case, org, sent_referral

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]


def services() -> list[int]:
    return sorted(
        m.ServiceType.objects.filter(code__in=["return_assistance", "legal_support"]).values_list(
            "pk", flat=True
        )
    )


def send_body(**extra: Any) -> dict[str, Any]:
    return {"to_organisation": org("ijm-ro").pk, "services": services(), "reason": "return", **extra}


def send_url(case: m.Case) -> str:
    return f"/api/v1/records/cases/{case.pk}/referrals"


def step(referral: Referral, verb: str) -> str:
    return f"/api/v1/referrals/{referral.pk}/{verb}"


def test_a_case_is_referred_with_the_persons_consent(api: Api) -> None:
    case = nl_case()
    consent_to_share(case)
    response = api("coordinator").post(send_url(case), send_body(message="She wants to go home."))
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert (answer["state"], answer["services"], answer["urgency"]) == ("sent", services(), "normal")
    assert (answer["person"], answer["days_to_answer"], answer["message"]) == (
        case.person.code,
        None,
        "She wants to go home.",
    )
    referral = Referral.objects.get(pk=answer["id"])
    assert (referral.case, referral.to_organisation) == (case, org("ijm-ro"))
    assert AuditEntry.objects.filter(
        action="create", model="referrals.Referral", object_pk=str(referral.pk)
    ).exists()


def test_without_the_sharing_consent_the_answer_is_400_naming_it(api: Api) -> None:
    case = nl_case()
    response = api("coordinator").post(send_url(case), send_body())
    assert response.status_code == 400, response.json()
    message = response.json()["message"]
    assert case.person.code in message and str(org("ijm-ro")) in message
    assert response.json()["errors"]["to_organisation"] == [message]
    assert not Referral.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"services": []}, "services"),
        ({"reason": "boredom"}, "reason"),
        ({"to_organisation": "next-steps-nl"}, "to_organisation"),
        ({"urgency": 3}, "urgency"),
        ({"sent_on": "2021-01-01"}, "sent_on"),
    ],
    ids=["no-services", "unknown-reason", "own-organisation", "urgency-type", "unknown-field"],
)
def test_a_referral_outside_the_rules_is_refused_naming_the_field(
    sent: dict[str, Any], field: str, api: Api
) -> None:
    case = nl_case()
    consent_to_share(case)
    if sent.get("to_organisation"):
        sent = {"to_organisation": org(sent["to_organisation"]).pk}
    response = api("coordinator").post(send_url(case), send_body(**sent))
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"]
    assert not Referral.objects.filter(case=case).exists()


def test_the_receiver_sees_it_in_its_list_and_accepts_it(api: Api) -> None:
    referral = sent_referral()
    ijm = api("caseworker.ijm")
    received = ijm.get("/api/v1/referrals", {"direction": "received", "state": "sent"})
    assert referral.pk in [r["id"] for r in received.json()["results"]]
    response = ijm.post(step(referral, "accept"))
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert (answer["state"], answer["days_to_answer"]) == ("accepted", 0)
    referral.refresh_from_db()
    assert answer["receiving_case"] == referral.receiving_case_id is not None
    assert referral.receiving_case.organisation == org("ijm-ro")  # type: ignore[union-attr]
    # The sender is told the answer, not the receiver's own case.
    assert api("coordinator").get(f"/api/v1/referrals/{referral.pk}").json()["receiving_case"] is None
    again = ijm.post(step(referral, "accept"))
    assert again.status_code == 409 and again.json()["message"]
    entries = AuditEntry.objects.filter(model="referrals.Referral", object_pk=str(referral.pk))
    assert {"change", "view"} <= set(
        entries.filter(user__username="caseworker.ijm").values_list("action", flat=True)
    )


def test_declining_needs_a_reason_and_hides_the_referral_from_the_receiver(api: Api) -> None:
    referral = sent_referral()
    ijm = api("caseworker.ijm")
    refused = ijm.post(step(referral, "decline"), {})
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    response = ijm.post(step(referral, "decline"), {"reason": "No place in our shelter."})
    assert response.status_code == 200, response.json()
    assert ijm.get(f"/api/v1/referrals/{referral.pk}").status_code == 404
    assert referral.pk not in [r["id"] for r in ijm.get("/api/v1/referrals").json()["results"]]
    seen = api("coordinator").get(f"/api/v1/referrals/{referral.pk}").json()
    assert (seen["state"], seen["decline_reason"], seen["days_to_answer"]) == (
        "declined",
        "No place in our shelter.",
        0,
    )


def test_the_sender_withdraws_before_an_answer_and_the_receiver_may_not(api: Api) -> None:
    referral = sent_referral()
    assert api("caseworker.ijm").post(step(referral, "withdraw")).status_code == 404
    response = api("coordinator").post(step(referral, "withdraw"))
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert api("caseworker.ijm").get(f"/api/v1/referrals/{referral.pk}").status_code == 404


def test_a_referral_is_completed_only_once_accepted(api: Api) -> None:
    referral = sent_referral()
    ijm = api("caseworker.ijm")
    assert ijm.post(step(referral, "complete")).status_code == 409
    assert ijm.post(step(referral, "accept")).status_code == 200
    response = ijm.post(step(referral, "complete"))
    assert response.status_code == 200 and response.json()["state"] == "completed"
    assert response.json()["completed_on"] is not None


@pytest.mark.parametrize("persona", ["caseworker.sa", "outreach.sa", "viewer", "volunteers.dorcas"])
def test_a_referral_between_other_organisations_does_not_exist(persona: str, api: Api) -> None:
    referral = sent_referral()
    client = api(persona)
    assert client.get(f"/api/v1/referrals/{referral.pk}").status_code == 404
    listed = client.get("/api/v1/referrals")
    assert listed.status_code == 404 or referral.pk not in [r["id"] for r in listed.json()["results"]]
    for verb in ("accept", "decline", "withdraw", "complete"):
        assert client.post(step(referral, verb), {"reason": "x"}).status_code == 404, verb
    referral.refresh_from_db()
    assert referral.state == "sent"


def test_a_read_only_role_reads_the_referral_but_takes_no_step(api: Api) -> None:
    referral = sent_referral()
    dpo = api("dpo")
    assert dpo.get(f"/api/v1/referrals/{referral.pk}").status_code == 200
    assert AuditEntry.objects.filter(
        action="view", model="referrals.Referral", object_pk=str(referral.pk), user__username="dpo"
    ).exists()
    assert dpo.post(step(referral, "withdraw")).status_code == 404
    assert dpo.post(send_url(nl_case()), send_body()).status_code == 404


def test_a_misspelt_filter_or_step_body_is_a_422(api: Api) -> None:
    referral = sent_referral()
    listed = api("coordinator").get("/api/v1/referrals", {"status": "sent", "state": "lost"})
    assert listed.status_code == 422 and set(listed.json()["errors"]) == {"status", "state"}
    assert api("caseworker.ijm").post(step(referral, "accept"), {"on": "2021-01-01"}).status_code == 422
    referral.refresh_from_db()
    assert referral.state == "sent"


def test_the_list_comes_in_pages_newest_first(api: Api) -> None:
    first, second = sent_referral(), sent_referral()
    client = api("coordinator")
    page = client.get("/api/v1/referrals", {"direction": "sent", "state": "sent", "page_size": 1}).json()
    assert (page["count"], page["pages"], page["page_size"]) == (2, 2, 1)
    assert [r["id"] for r in page["results"]] == [second.pk]
    later = client.get("/api/v1/referrals", {"direction": "sent", "state": "sent", "page_size": 1, "page": 2})
    assert [r["id"] for r in later.json()["results"]] == [first.pk]
    assert client.get("/api/v1/referrals", {"page_size": 0}).status_code == 422
