"""No lost updates, the rule: an edit saves only over the version its editor started from; every other way
of changing a record (a save elsewhere, an import) moves the version on too."""

from __future__ import annotations

import datetime as dt

import pytest

from nextsteps.accounts.models import User
from nextsteps.records import actions, versions
from nextsteps.records.models import Case, ClosureReason, Person
from tests import factories as f

pytestmark = pytest.mark.django_db


def open_case() -> Case:
    org = f.organisation()
    programme = f.programme(org)
    person = f.person(org)
    return f.open_case(
        acting_user=None,
        programme=programme,
        organisation=org,
        person=person,
        opened=dt.date(2021, 9, 1),
    )


def reason() -> ClosureReason:
    return ClosureReason.objects.get(code="goals_reached")


def test_a_new_record_starts_at_version_one_and_each_change_moves_it_on() -> None:
    case = open_case()
    assert case.version == 1
    actions.update_record(case, acting_user=None, expected_version=1, opened=dt.date(2021, 9, 2))
    assert case.version == 2
    assert Case.objects.get(pk=case.pk).version == 2


def test_the_second_of_two_edits_from_the_same_version_is_refused_and_the_first_kept() -> None:
    ana = User.objects.create_user("ana", first_name="Ana", last_name="Pop")
    mihai = User.objects.create_user("mihai")
    case = open_case()
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    actions.update_record(
        first,
        acting_user=ana,
        expected_version=1,
        status="closed",
        closed=dt.date(2022, 3, 1),
        closure_reason=reason(),
    )
    with pytest.raises(versions.StaleEdit) as refused:
        actions.update_record(second, acting_user=mihai, expected_version=1, opened=dt.date(2021, 8, 1))
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.closed, stored.opened) == (
        "closed",
        dt.date(2022, 3, 1),
        dt.date(2021, 9, 1),
    )
    assert stored.version == 2
    assert sorted(refused.value.fields) == ["closed", "closure_reason", "status"]
    assert refused.value.people == ["Ana Pop (ana)"]
    said = refused.value.what_changed()
    assert said.startswith("Ana Pop (ana) changed ") and said.endswith(" while you were editing.")
    assert all(field in said for field in ("closed", "closure reason", "status"))
    assert refused.value.current_version == 2


def test_a_refused_edit_through_save_changes_leaves_nothing_behind() -> None:
    case = open_case()
    actions.update_record(
        Case.objects.get(pk=case.pk),
        acting_user=None,
        expected_version=1,
        status="closed",
        closed=dt.date(2022, 1, 1),
        closure_reason=reason(),
    )
    stale = Case.objects.get(pk=case.pk)
    stale.status, stale.closed, stale.closure_reason = "open", None, None
    with pytest.raises(versions.StaleEdit):
        actions.save_changes(
            stale, acting_user=None, changed=["status", "closed", "closure_reason"], expected_version=1
        )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.closed, stored.version) == ("closed", dt.date(2022, 1, 1), 2)


def test_an_edit_without_a_version_saves_over_whatever_is_stored() -> None:
    case = open_case()
    actions.update_record(Case.objects.get(pk=case.pk), acting_user=None, opened=dt.date(2021, 9, 3))
    actions.update_record(Case.objects.get(pk=case.pk), acting_user=None, opened=dt.date(2021, 9, 4))
    stored = Case.objects.get(pk=case.pk)
    assert (stored.opened, stored.version) == (dt.date(2021, 9, 4), 3)


def test_a_save_that_claims_no_version_still_refuses_an_editor_who_started_before_it() -> None:
    # Erasure and jobs save records themselves: an editor's older form must not write the old values back.
    person = f.person(f.organisation(), given_name="Ioana")
    elsewhere = Person.objects.get(pk=person.pk)
    elsewhere.given_name = ""
    elsewhere.save()
    assert elsewhere.version == 2
    with pytest.raises(versions.StaleEdit):
        actions.update_record(
            Person.objects.get(pk=person.pk), acting_user=None, expected_version=1, sex="male"
        )
    assert Person.objects.get(pk=person.pk).given_name == ""


def test_an_import_that_changes_a_record_moves_its_version_on() -> None:
    org = f.organisation()
    person = f.person(org, external_id="P-1")
    untouched = f.person(org, external_id="P-2")
    actions.bulk_upsert_records(
        Person,
        [{"external_id": "P-1", "sex": "male"}, {"external_id": "P-2", "sex": untouched.sex}],
        acting_user=None,
        organisation=org,
        fixed=(),
    )
    assert Person.objects.get(pk=person.pk).version == 2
    assert Person.objects.get(pk=untouched.pk).version == 1
    with pytest.raises(versions.StaleEdit):
        actions.update_record(
            Person.objects.get(pk=person.pk), acting_user=None, expected_version=1, sex="female"
        )


def test_an_erasure_refuses_an_editor_who_opened_a_note_before_it() -> None:
    from nextsteps.privacy.erasure import erase_person
    from nextsteps.records.models import ServiceDelivery

    org = f.organisation()
    person = f.person(org, given_name="Ioana")
    service = f.service(f.programme(org), org, person, dt.date(2021, 3, 1))
    actions.update_record(service, acting_user=None, note="Ioana asked to be called on +40 711 111 111.")
    opened_at = ServiceDelivery.objects.get(pk=service.pk).version
    erase_person(person, acting_user=None, clear_files=False)
    with pytest.raises(versions.StaleEdit):
        actions.update_record(
            ServiceDelivery.objects.get(pk=service.pk),
            acting_user=None,
            expected_version=opened_at,
            note="Ioana asked to be called on +40 711 111 111.",
        )
    assert ServiceDelivery.objects.get(pk=service.pk).note == ""


def test_a_save_that_changes_nothing_keeps_the_version_and_refuses_nobody() -> None:
    case = open_case()
    actions.update_record(
        Case.objects.get(pk=case.pk), acting_user=None, expected_version=1, opened=case.opened
    )
    assert Case.objects.get(pk=case.pk).version == 1
    actions.update_record(
        Case.objects.get(pk=case.pk),
        acting_user=None,
        expected_version=1,
        status="closed",
        closed=dt.date(2022, 1, 1),
        closure_reason=reason(),
    )
    assert Case.objects.get(pk=case.pk).version == 2


def test_an_edit_of_a_record_deleted_meanwhile_is_refused_with_who_deleted_it() -> None:
    ana = User.objects.create_user("ana", first_name="Ana", last_name="Pop")
    person = f.person(f.organisation())
    editing = Person.objects.get(pk=person.pk)
    actions.delete_record(Person.objects.get(pk=person.pk), acting_user=ana)
    with pytest.raises(versions.StaleEdit) as refused:
        actions.update_record(editing, acting_user=None, expected_version=1, sex="male")
    assert refused.value.deleted
    assert refused.value.page_message() == (
        "Ana Pop (ana) deleted this record while you were editing. Your changes were not saved."
    )
    assert not Person.objects.filter(pk=person.pk).exists()
