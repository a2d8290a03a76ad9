"""Merging two records of one person: everything moves to the person kept, who then counts once."""

from __future__ import annotations

import datetime as dt

import pytest

from nextsteps.audit.models import AuditEntry
from nextsteps.indicators.engine import value
from nextsteps.privacy.actions import record_consent
from nextsteps.privacy.models import Consent
from nextsteps.records import actions
from nextsteps.records.merging import MergeRefused, merge_persons
from nextsteps.records.models import Case, Person, Story, VisitPerson
from tests import factories as f

pytestmark = pytest.mark.django_db
AUG, DEC = dt.date(2021, 8, 1), dt.date(2021, 12, 31)


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    sa, ijm = f.organisation("Salvation Army"), f.organisation("IJM")
    return sa, ijm, f.programme(sa, ijm)


def test_a_person_reached_twice_under_two_records_counts_once_after_the_merge(world) -> None:  # type: ignore[no-untyped-def]
    sa, _ijm, prog = world
    ana = f.person(sa, given_name="Ana", family_name="Popescu")
    again = f.person(
        sa, given_name="Ana", family_name="Popescu", born=dt.date(1990, 3, 1), survivor_status="presumed"
    )
    f.visit(prog, sa, dt.date(2021, 9, 1), ana)
    f.visit(prog, sa, dt.date(2021, 10, 1), again)
    reached = f.indicator(prog, "persons_reached", "distinct_persons")
    assert value(reached, AUG, DEC).total == 2
    merge_persons(ana, again, acting_user=None)
    assert value(reached, AUG, DEC).total == 1
    assert not Person.objects.filter(pk=again.pk).exists()
    ana.refresh_from_db()
    assert ana.birth_date == dt.date(1990, 3, 1)  # filled from the other record
    assert ana.survivor_status == "presumed"


def test_it_moves_cases_visits_consents_households_and_stories_and_audits_both_codes(world) -> None:  # type: ignore[no-untyped-def]
    sa, _ijm, prog = world
    ana, again = f.person(sa), f.person(sa)
    case = f.open_case(programme=prog, organisation=sa, person=again, opened=dt.date(2021, 9, 1))
    both = f.visit(prog, sa, dt.date(2021, 9, 2), ana, again)
    alone = f.visit(prog, sa, dt.date(2021, 9, 3), again)
    home = f.household(sa, again)
    shared_home = f.household(sa, ana, again)
    story = actions.create_record(
        Story,
        acting_user=None,
        programme=prog,
        organisation=sa,
        person=again,
        date=dt.date(2021, 9, 4),
        text_en="She found work.",
    )
    gone = again.pk
    merged = merge_persons(ana, again, acting_user=None)
    assert (merged.cases, merged.visits, merged.consents, merged.households, merged.stories) == (
        1,
        2,
        1,
        2,
        1,
    )
    assert Story.objects.get(pk=story.pk).person == ana
    assert Case.objects.get(pk=case.pk).person == ana
    assert Consent.objects.get(person=ana).purpose == "services"
    assert VisitPerson.objects.filter(person=ana, visit__in=[both, alone]).count() == 2
    assert list(home.members.all()) == [ana]
    assert list(shared_home.members.all()) == [ana]
    entry = AuditEntry.objects.filter(model="records.Person", object_pk=str(ana.pk)).latest("pk")
    assert f"merged:{again.code}" in entry.fields
    assert "cases:1" in entry.fields
    assert AuditEntry.objects.filter(
        model="records.Person", object_pk=str(gone), action=AuditEntry.Action.DELETE
    ).exists()


def test_it_refuses_two_open_cases_in_the_same_programme_and_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    sa, _ijm, prog = world
    ana, again = f.person(sa), f.person(sa)
    f.open_case(programme=prog, organisation=sa, person=ana, opened=dt.date(2021, 9, 1))
    f.open_case(programme=prog, organisation=sa, person=again, opened=dt.date(2021, 9, 1))
    with pytest.raises(MergeRefused) as refused:
        merge_persons(ana, again, acting_user=None)
    assert "both have an open case" in refused.value.messages[0]
    assert Case.objects.filter(person=again).count() == 1
    assert Person.objects.filter(pk=again.pk).exists()


def test_it_refuses_persons_of_two_organisations(world) -> None:  # type: ignore[no-untyped-def]
    sa, ijm, _prog = world
    ana, theirs = f.person(sa), f.person(ijm)
    record_consent(acting_user=None, person=theirs, purpose="services", given_on=dt.date(2021, 9, 1))
    with pytest.raises(MergeRefused):
        merge_persons(ana, theirs, acting_user=None)
    with pytest.raises(MergeRefused):
        merge_persons(ana, ana, acting_user=None)
    assert Consent.objects.get(person=theirs)


def test_it_refuses_an_erased_person(world) -> None:  # type: ignore[no-untyped-def]
    from nextsteps.privacy.erasure import erase_person

    sa, _ijm, _prog = world
    ana, again = f.person(sa), f.person(sa)
    erase_person(again, acting_user=None)
    with pytest.raises(MergeRefused):
        merge_persons(ana, again, acting_user=None)


def test_a_merge_after_a_report_was_sent_keeps_its_own_reason(world) -> None:  # type: ignore[no-untyped-def]
    # Correcting a person of a reported period needs a reason; a merge gives its own.
    from nextsteps.reports import reported
    from nextsteps.reports.builder import EXTERNAL

    sa, _ijm, prog = world
    ana = f.person(sa, given_name="Ana", family_name="Popescu")
    again = f.person(sa, given_name="Ana", family_name="Popescu", born=dt.date(1990, 3, 1))
    reported.mark_reported(prog, AUG, DEC, EXTERNAL, acting_user=None)
    merge_persons(ana, again, acting_user=None)
    entries = AuditEntry.objects.filter(action="change", model="records.Person", object_pk=str(ana.pk))
    filled = [entry for entry in entries if "birth_date" in entry.fields]
    assert len(filled) == 1 and filled[0].reason.text == "Merged with a duplicate of this person."
