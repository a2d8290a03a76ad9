"""Erasure and retention remove a person's attachments (rows and files: the file is the row), audited; the
person export lists them; other persons' attachments stay, with her name taken out of their titles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from nextsteps.attachments.actions import upload_attachment
from nextsteps.attachments.models import Attachment
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.erasure import erase_person
from nextsteps.privacy.export import person_data
from nextsteps.privacy.retention import apply_retention
from nextsteps.programmes.models import Programme
from nextsteps.records import actions
from nextsteps.records import models as m
from tests import attachments as files
from tests import factories
from tests.factories import open_case

pytestmark = pytest.mark.django_db


def attach(case: m.Case, title: str, name: str = "consent.pdf") -> Attachment:
    return upload_attachment(
        case,
        acting_user=None,
        kind=Attachment.Kind.CONSENT_FORM,
        title=title,
        file_name=name,
        declared_type="",
        data=files.pdf(),
    )


@dataclass
class World:
    prog: Programme
    her: m.Person
    her_case: m.Case
    other_case: m.Case


@pytest.fixture
def world() -> World:
    org = factories.organisation()
    prog = factories.programme(org)
    her = factories.person(
        org, born=dt.date(1990, 4, 3), given_name="Zamfira", family_name="Brâncoveanulescu"
    )
    other = factories.person(org, born=dt.date(1985, 1, 1))
    opened = dt.date(2021, 3, 1)
    her_case = open_case(acting_user=None, programme=prog, organisation=org, person=her, opened=opened)
    other_case = open_case(acting_user=None, programme=prog, organisation=org, person=other, opened=opened)
    return World(prog, her, her_case, other_case)


def test_erasing_a_person_deletes_her_attachments_and_audits_each(world: World) -> None:
    case = world.her_case
    mine = [
        attach(case, "Passport of Zamfira Brâncoveanulescu", "Zamfira_passport.pdf"),
        attach(case, "Consent"),
    ]
    kept = attach(world.other_case, "Statement")

    erase_person(world.her, acting_user=None)

    assert list(Attachment.objects.filter(case=case)) == []
    assert list(Attachment.objects.all().filter(pk=kept.pk)) == [kept]
    for attachment in mine:
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.DELETE, model="attachments.Attachment", object_pk=str(attachment.pk)
        ).exists()


def test_her_name_in_another_persons_attachment_title_is_taken_out(world: World) -> None:
    other = attach(world.other_case, "Statement witnessed by Zamfira Brâncoveanulescu")
    erase_person(world.her, acting_user=None)
    title = Attachment.objects.get(pk=other.pk).title
    assert "Zamfira" not in title and "Brâncoveanulescu" not in title and title.startswith("Statement")


def test_retention_removes_the_attachments_of_people_whose_casework_ended_long_ago(
    world: World,
) -> None:
    prog = world.prog
    prog.retention_months_after_closure = 12
    prog.save()
    case = world.her_case
    reason = m.ClosureReason.objects.get(code="goals_reached")
    actions.update_record(
        case, acting_user=None, status="closed", closed=dt.date(2021, 4, 1), closure_reason=reason
    )
    actions.update_record(
        world.other_case,
        acting_user=None,
        status="closed",
        closed=dt.date(2021, 4, 1),
        closure_reason=reason,
    )
    attach(case, "Consent")

    apply_retention(dt.date.today(), acting_user=None)

    assert not Attachment.objects.filter(case__programme=prog).exists()


def test_the_person_export_lists_her_attachments_by_title_kind_and_name(world: World) -> None:
    case = world.her_case
    attach(case, "Consent for services", "semnat.pdf")
    data = person_data(world.her, "en")
    (listed,) = data["cases"][0]["attachments"]
    assert (listed["title"], listed["kind"], listed["file_name"], listed["file_type"]) == (
        "Consent for services",
        "consent form",
        "semnat.pdf",
        "PDF",
    )
    assert "content" not in listed
    assert any(entry["record"] == "attachment" for entry in data["audit"])
