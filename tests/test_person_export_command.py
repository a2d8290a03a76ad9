"""`nextsteps person export CODE`: everything held about a person, as JSON or a readable page, audited."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.accounts.models import Membership, Role, User
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.models import CaseShare
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    if "--user" not in args:
        args = (*args, "--user", officer().username)
    out = StringIO()
    call_command("person", "export", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def officer() -> User:
    """A data-protection officer of every organisation there is when the command runs."""
    user, _created = User.objects.get_or_create(username="rights.officer")
    for organisation in Organisation.objects.all():
        Membership.objects.get_or_create(
            user=user, organisation=organisation, role=Role.DATA_PROTECTION_OFFICER
        )
    return user


@pytest.fixture
def survivor(demo: Programme) -> m.Person:
    person = m.Person.objects.filter(
        organisation__slug="next-steps-nl", cases__outcomes__isnull=False
    ).first()
    assert person is not None
    return person


def test_it_gives_every_kind_of_record_held_about_a_survivor(survivor: m.Person) -> None:
    CaseShare.objects.create(
        case=survivor.cases.get(),
        organisation=Organisation.objects.get(slug="ijm-ro"),
        shared_on="2021-09-01",
    )
    data = json.loads(run(survivor.code))
    details = {item["field"]: item["value"] for item in data["person"]}
    assert details["given_name"] == survivor.given_name and details["phone"] == survivor.phone
    assert details["address"] == survivor.address and details["identity_number"] == survivor.identity_number
    (case,) = data["cases"]
    assert {s["type"] for s in case["services"]} >= {"Legal support", "Psychosocial support"}
    assert any(survivor.given_name in s["note"] for s in case["services"])  # the notes that name her
    assert [o["type"] for o in case["outcomes"]] == ["Returned home"]
    assert case["shared_with"] == [{"organisation": "IJM Romania", "shared_on": "2021-09-01"}]
    assert [c["purpose"] for c in data["consents"]] == ["receiving services"]
    assert data["erasure"] is None


def test_it_lists_households_visits_and_stories(demo: Programme) -> None:
    member = m.Person.objects.filter(households__organisation__slug="salvation-army-ro").first()
    assert member is not None
    data = json.loads(run(member.code, "--organisation", "salvation-army-ro"))
    assert [h["code"] for h in data["households"]] == [h.code for h in member.households.all()]
    assert len(data["visits"]) == m.VisitPerson.objects.filter(person=member).count() >= 5
    assert {v["locality"] for v in data["visits"]} == {"Bucharest"}
    sewer = m.Story.objects.get(programme=demo, consent_to_publish=True).person
    assert sewer is not None
    stories = json.loads(run(sewer.code))["stories"]
    assert stories[0]["published"] and "sewing" in stories[0]["text_en"]


def test_it_includes_the_audit_trail_of_the_persons_records_without_staff_names(survivor: m.Person) -> None:
    from nextsteps.accounts.models import User
    from nextsteps.audit.log import log

    log(AuditEntry.Action.VIEW, survivor, user=User.objects.get(username="coordinator"))
    data = json.loads(run(survivor.code))
    records = {e["record"] for e in data["audit"]}
    assert {"person", "case", "service delivery", "outcome", "consent"} <= records
    assert any(e["action"] == "viewed" and e["organisation"] == "Next Steps NL" for e in data["audit"])
    assert "coordinator" not in json.dumps(data["audit"])


def test_the_audit_trail_names_the_organisation_that_read_a_shared_case(survivor: m.Person) -> None:
    from nextsteps.accounts.access import audit_view

    ijm = Organisation.objects.get(slug="ijm-ro")
    case = survivor.cases.get()
    CaseShare.objects.create(case=case, organisation=ijm, shared_on="2021-09-01")
    audit_view(User.objects.get(username="caseworker.ijm"), case)
    entries = json.loads(run(survivor.code))["audit"]
    assert entries[-1]["action"] == "viewed" and entries[-1]["organisation"] == "IJM Romania"


def test_the_export_is_written_to_the_audit_trail_under_the_officers_name(survivor: m.Person) -> None:
    run(survivor.code, "--user", "dpo")
    entry = AuditEntry.objects.get(model="records.Person", object_pk=str(survivor.pk), action="export")
    assert entry.user is not None and entry.user.username == "dpo"


def test_the_user_answering_the_request_must_be_named(survivor: m.Person) -> None:
    with pytest.raises(CommandError, match="--user"):
        call_command("person", "export", survivor.code, stdout=StringIO(), stderr=StringIO())


def test_an_unknown_user_is_one_line(survivor: m.Person) -> None:
    with pytest.raises(CommandError) as refused:
        run(survivor.code, "--user", "nobody")
    assert str(refused.value) == "There is no user “nobody”."


@pytest.mark.parametrize("username", ["admin", "coordinator", "caseworker.ijm"])
def test_only_the_data_protection_officer_of_the_persons_organisation_may_export(
    survivor: m.Person, username: str
) -> None:
    # admin and coordinator work for the survivor's organisation; caseworker.ijm's organisation has the
    # case shared with it below. None of them is its data-protection officer.
    CaseShare.objects.create(
        case=survivor.cases.get(),
        organisation=Organisation.objects.get(slug="ijm-ro"),
        shared_on="2021-09-01",
    )
    Membership.objects.create(
        user=User.objects.get(username="caseworker.ijm"),
        organisation=Organisation.objects.get(slug="ijm-ro"),
        role=Role.DATA_PROTECTION_OFFICER,
    )
    with pytest.raises(CommandError) as refused:
        run(survivor.code, "--user", username)
    assert str(refused.value) == (
        f"{username} is not the data-protection officer of Next Steps NL, so may not answer the requests of "
        "its persons. Nothing was done."
    )
    assert not AuditEntry.objects.filter(
        model="records.Person", object_pk=str(survivor.pk), action="export"
    ).exists()


def test_it_writes_a_readable_page_in_the_chosen_language_to_a_file(
    survivor: m.Person, tmp_path: Path
) -> None:
    target = tmp_path / "person.html"
    assert run(survivor.code, "--format", "html", "--lang", "nl", "-o", str(target)) == ""
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and 'lang="nl"' in page
    returned = m.OutcomeType.objects.get(code="returned_home")
    assert (
        survivor.family_name in page
        and returned.label("nl") in page
        and returned.label_nl != returned.label_en
    )
    assert "http://" not in page and "https://" not in page  # nothing fetched from elsewhere


def test_the_query_count_does_not_grow_with_the_records(
    survivor: m.Person, django_assert_max_num_queries: object
) -> None:
    user = officer().username
    # 18, 6 for the case file (assessments and their needs, goals and their actions, follow-ups, notes), 1 for
    # the attachments and 1 for the referrals, however many records the person has.
    with django_assert_max_num_queries(26):  # type: ignore[operator]
        run(survivor.code, "--user", user)
    member = m.Person.objects.filter(households__organisation__slug="salvation-army-ro").first()
    assert member is not None
    with django_assert_max_num_queries(26):  # type: ignore[operator]
        run(member.code, "--user", user)


def test_an_unknown_code_is_one_line_in_the_users_language(demo: Programme) -> None:
    with translation.override("nl"):
        expected = gettext("There is no person with the code “%(code)s”.") % {"code": "NOPE-1"}
    with pytest.raises(CommandError) as refused:
        run("NOPE-1", "--lang", "nl")
    assert str(refused.value) == expected and "\n" not in expected


def test_the_same_code_in_two_organisations_needs_the_organisation_named() -> None:
    first, second = factories.organisation(), factories.organisation()
    for org in (first, second):
        m.Person.objects.filter(pk=factories.person(org).pk).update(code="SAME-1")
    with pytest.raises(CommandError, match="--organisation"):
        run("SAME-1")
    assert json.loads(run("SAME-1", "--organisation", second.slug))["organisation"] == str(second)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NL-0001", "--organisation", "nope"], "There is no organisation “nope”."),
        (["X", "--organisation", "ijm-ro"], "IJM Romania has no person with the code “X”."),
        (["X", "--format", "pdf"], "Unknown format “pdf”"),
        (["X", "--lang", "de"], "Unknown language “de”"),
    ],
)
def test_bad_input_is_refused_with_a_message(demo: Programme, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
