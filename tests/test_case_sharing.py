"""Sharing a case with another organisation: only with the person's consent to share with exactly that
organisation, read-only there, and only for as long as the consent holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext

from nextsteps.accounts.models import Membership, Role, User
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.actions import record_consent, share_case, withdraw_consent
from nextsteps.privacy.models import CaseShare
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def case() -> m.Case:
    case = m.Case.objects.filter(organisation__slug="ijm-ro", person__survivor_status="identified").first()
    assert case is not None
    return case


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def consent_to_share(case: m.Case, slug: str, **extra: Any) -> object:
    return record_consent(
        acting_user=None,
        person=case.person,
        purpose="sharing",
        given_on=TODAY - dt.timedelta(days=30),
        shared_with=org(slug),
        **extra,
    )


def shared(case: m.Case, slug: str = "salvation-army-ro") -> CaseShare:
    consent_to_share(case, slug)
    return share_case(
        acting_user=User.objects.get(username="caseworker.ijm"), case=case, organisation=org(slug)
    )


def status(client: Client, name: str, pk: int) -> int:
    return client.get(reverse(name, args=[pk])).status_code


def test_sharing_without_consent_is_refused_with_the_missing_consent_named(case: m.Case) -> None:
    with pytest.raises(ValidationError) as refused:
        share_case(acting_user=None, case=case, organisation=org("salvation-army-ro"))
    message = refused.value.message_dict["organisation"][0]
    assert case.person.code in message and "Salvation Army" in message
    assert not CaseShare.objects.filter(case=case).exists()


def test_a_consent_to_share_with_one_organisation_does_not_cover_another(case: m.Case) -> None:
    consent_to_share(case, "dorcas-ro")
    with pytest.raises(ValidationError):
        share_case(acting_user=None, case=case, organisation=org("salvation-army-ro"))
    assert (
        share_case(acting_user=None, case=case, organisation=org("dorcas-ro")).organisation.slug
        == "dorcas-ro"
    )


def refer_to(client: Client, case: m.Case, organisation: Organisation) -> Any:
    """The page that shares a case: referring it, which shares it once the other organisation accepts."""
    return client.post(
        reverse("referrals:refer", args=[case.pk]),
        {
            "to_organisation": organisation.pk,
            "services": [m.ServiceType.objects.get(code="psychosocial").pk],
            "reason": "specialist",
            "urgency": "normal",
        },
    )


def test_the_refusal_on_the_page_is_in_the_users_language(
    case: m.Case, login: Callable[[str], Client]
) -> None:
    sa = org("salvation-army-ro")
    response = refer_to(login("caseworker.ijm"), case, sa)
    assert response.status_code == 200
    with translation.override("ro"):  # caseworker.ijm works in Romanian
        expected = gettext(
            "Missing consent: %(person)s has no valid consent for sharing with %(organisation)s on %(date)s. "
            "Record that consent on the person's consents page first."
        ) % {"person": case.person.code, "organisation": sa, "date": formats.date_format(TODAY, "j F Y")}
    assert response.context["form"].errors["to_organisation"] == [expected]
    assert not CaseShare.objects.filter(case=case).exists()


def test_sharing_on_the_page_records_who_shared_and_is_audited(
    case: m.Case, login: Callable[[str], Client]
) -> None:
    consent_to_share(case, "salvation-army-ro")
    sa = org("salvation-army-ro")
    assert refer_to(login("caseworker.ijm"), case, sa).status_code == 302
    # Referring shares nothing yet: accepting does.
    assert not CaseShare.objects.filter(case=case).exists()
    referral = case.referrals.get()
    accepted = login("caseworker.sa").post(reverse("referrals:accept", args=[referral.pk]))
    assert accepted.status_code == 302
    share = CaseShare.objects.get(case=case, organisation=sa)
    assert share.shared_by is not None and share.shared_by.username == "caseworker.sa"
    assert share.shared_on == TODAY
    assert AuditEntry.objects.filter(
        model="privacy.CaseShare", object_pk=str(share.pk), action="create"
    ).exists()
    detail = login("caseworker.ijm").get(reverse("records:case-detail", args=[case.pk])).content.decode()
    assert "Salvation Army" in detail


def test_the_other_organisations_caseworkers_may_read_the_case_and_its_person_but_change_nothing(
    case: m.Case, login: Callable[[str], Client]
) -> None:
    client = login("caseworker.sa")
    service = case.services.first()
    assert service is not None
    before = [
        status(client, "records:case-detail", case.pk),
        status(client, "records:person-detail", case.person_id),
    ]
    assert before == [404, 404]
    shared(case)
    assert status(client, "records:case-detail", case.pk) == 200
    assert status(client, "records:person-detail", case.person_id) == 200
    assert status(client, "records:service-detail", service.pk) == 200
    for name, pk in [
        ("records:case-edit", case.pk),
        ("records:case-delete", case.pk),
        ("records:person-edit", case.person_id),
        ("records:service-edit", service.pk),
        ("records:case-service", case.pk),
        ("privacy:consents", case.person_id),
        ("referrals:refer", case.pk),
    ]:
        assert status(client, name, pk) == 404, name
    # The person's other cases were not shared.
    listed = client.get(reverse("records:case-list")).context["page"].paginator.count
    own = m.Case.objects.filter(organisation__slug="salvation-army-ro").count()
    assert listed == own + 1


def test_reading_a_shared_case_is_audited(case: m.Case, login: Callable[[str], Client]) -> None:
    shared(case)
    login("caseworker.sa").get(reverse("records:case-detail", args=[case.pk]))
    entry = AuditEntry.objects.filter(model="records.Case", object_pk=str(case.pk), action="view").first()
    assert entry is not None and entry.user is not None and entry.user.username == "caseworker.sa"
    # The entry is on the case's organisation's trail and names the organisation that read it.
    assert entry.organisation == org("ijm-ro")
    assert entry.acting_organisation == org("salvation-army-ro")


def test_a_user_of_several_organisations_is_named_acting_for_the_one_the_case_was_shared_with(
    case: m.Case, login: Callable[[str], Client]
) -> None:
    shared(case)
    user = User.objects.get(username="caseworker.sa")
    Membership.objects.create(user=user, organisation=org("dorcas-ro"), role=Role.CASEWORKER)
    login("caseworker.sa").get(reverse("records:person-detail", args=[case.person_id]))
    entry = AuditEntry.objects.filter(model="records.Person", object_pk=str(case.person_id)).latest("pk")
    assert (entry.action, entry.organisation, entry.acting_organisation) == (
        "view",
        org("ijm-ro"),
        org("salvation-army-ro"),
    )


def test_both_organisations_trails_show_who_read_the_shared_case_for_which_organisation(
    case: m.Case, login: Callable[[str], Client]
) -> None:
    shared(case)
    login("caseworker.sa").get(reverse("records:case-detail", args=[case.pk]))
    for slug in ("ijm-ro", "salvation-army-ro"):
        officer = User.objects.create_user(f"dpo.{slug}", password="x", language="en")
        Membership.objects.create(user=officer, organisation=org(slug), role=Role.DATA_PROTECTION_OFFICER)
        response = login(officer.username).get(
            reverse("audit"), {"model": "records.Case", "record": str(case.pk), "action": "view"}
        )
        (entry,) = response.context["page"].object_list
        assert entry.user.username == "caseworker.sa", slug
        page = response.content.decode()
        assert '<th scope="col">Acting for</th>' in page
        assert f"<td>{org('salvation-army-ro')}</td>" in page


def test_roles_that_do_not_read_cases_do_not_see_shared_ones(
    case: m.Case, login: Callable[[str], Client]
) -> None:
    shared(case)
    assert status(login("outreach.sa"), "records:person-detail", case.person_id) == 404


def test_withdrawing_the_consent_ends_the_other_organisations_access(
    case: m.Case, login: Callable[[str], Client]
) -> None:
    share = shared(case)
    client = login("caseworker.sa")
    assert status(client, "records:case-detail", case.pk) == 200
    consent = case.person.consents.get(purpose="sharing")
    withdraw_consent(acting_user=None, consent=consent, on=TODAY)
    assert status(client, "records:case-detail", case.pk) == 404
    assert status(client, "records:person-detail", case.person_id) == 404
    assert CaseShare.objects.filter(pk=share.pk).exists()  # the history of who shared what stays


def test_an_expired_consent_ends_the_access_too(case: m.Case, login: Callable[[str], Client]) -> None:
    consent_to_share(case, "salvation-army-ro", expires_on=TODAY)
    share_case(acting_user=None, case=case, organisation=org("salvation-army-ro"))
    assert status(login("caseworker.sa"), "records:case-detail", case.pk) == 200
    case.person.consents.filter(purpose="sharing").update(expires_on=TODAY - dt.timedelta(days=1))
    assert status(login("caseworker.sa"), "records:case-detail", case.pk) == 404


def test_nothing_is_recorded_on_a_shared_case_from_the_other_organisation(
    case: m.Case, login: Callable[[str], Client]
) -> None:
    shared(case)
    response = login("caseworker.sa").get(reverse("records:outcome-create"))
    offered = set(response.context["form"].fields["case"].queryset.values_list("pk", flat=True))
    assert case.pk not in offered
    response = login("caseworker.sa").post(
        reverse("records:outcome-create"),
        {"case": case.pk, "outcome_type": m.OutcomeType.objects.first().pk, "date": "2021-10-01"},  # type: ignore[union-attr]
    )
    assert response.status_code == 200 and "case" in response.context["form"].errors


def test_the_receiving_dpo_may_read_the_case_but_not_handle_the_persons_requests(
    case: m.Case, login: Callable[[str], Client]
) -> None:
    shared(case, "next-steps-nl")
    client = login("dpo")
    assert status(client, "records:case-detail", case.pk) == 200
    for name in ("privacy:rights-person", "privacy:rights-export", "privacy:rights-erase"):
        assert status(client, name, case.person_id) == 404, name
