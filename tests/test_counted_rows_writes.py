"""Counted rows stay exact whoever writes: after any mix of writes (the ORM, bulk updates, raw SQL, merges,
renamed codes), a report gives the engine's figures at once, from the rows plus the dirty keys, and again
after the rows are refreshed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from nextsteps.indicators import counted, engine
from nextsteps.indicators.actions import save_indicator_rule
from nextsteps.indicators.models import Indicator
from nextsteps.records.models import Case, OutreachVisit, ServiceDelivery, ServiceType, SiteType, VisitPerson
from tests import factories as f
from tests.importing import run, write_csv
from tests.test_counted_rows import figures
from tests.test_engine_properties import DAYS, LOCALITIES, PROPERTY_SETTINGS, World, day, visit_plans
from tests.test_engine_properties import world as small_world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

PERIODS = [(0, DAYS - 1), (10, 40), (30, 31), (60, 119)]


def rules(world: World) -> list[Indicator]:
    made = {
        rule.code: rule
        for rule in Indicator.objects.filter(pillar__programme=world.prog, source__in=counted.KEPT_SOURCES)
    }
    if len(made) < 5:
        made = {
            str(n): rule
            for n, rule in enumerate(
                [
                    f.indicator(world.prog, "persons_reached", "distinct_persons"),
                    f.indicator(world.prog, "visits", "distinct_households", unit="households"),
                    f.indicator(world.prog, "persons_reached", "distinct_households", {"sex": ["female"]}),
                    f.indicator(world.prog, "persons_reached", "distinct_persons", {"locality": ["Oradea"]}),
                    f.indicator(world.prog, "services", "distinct_persons", {"type": ["legal_support"]}),
                ]
            )
        }
    return [rule for rule in made.values() if counted.kept(rule)]


def cases(world: World) -> list[Case]:
    return [
        Case.objects.filter(programme=world.prog, person=who).first()
        or f.open_case(programme=world.prog, organisation=world.orgs[0], person=who, opened=day(0))
        for who in world.people[:3]
    ]


def sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def edit(world: World, the_cases: list[Case], op: int, a: int, b: int) -> None:
    """One write of a kind people and programs make, on whatever records there are."""
    visits = list(OutreachVisit.objects.filter(programme=world.prog).order_by("pk"))
    reached = list(VisitPerson.objects.filter(visit__programme=world.prog).order_by("pk"))
    services = list(ServiceDelivery.objects.filter(case__programme=world.prog).order_by("pk"))
    person = world.people[a % len(world.people)]
    if op == 0 and visits:  # someone else reached on a visit (the form)
        VisitPerson.objects.get_or_create(visit=visits[b % len(visits)], person=person)
    elif op == 1 and reached:  # a person reached removed, by raw SQL
        sql(f"DELETE FROM {VisitPerson._meta.db_table} WHERE id = %s", [reached[b % len(reached)].pk])
    elif op == 2 and visits:  # a visit's date corrected, in bulk
        OutreachVisit.objects.filter(pk=visits[b % len(visits)].pk).update(date=day(a * 7 % DAYS))
    elif op == 3 and visits:  # another organisation and locality
        OutreachVisit.objects.filter(pk=visits[b % len(visits)].pk).update(
            organisation=world.orgs[a % 2], locality=LOCALITIES[a % len(LOCALITIES)]
        )
    elif op == 4 and visits:  # households merged: the visit now belongs to another household
        OutreachVisit.objects.filter(pk=visits[b % len(visits)].pk).update(
            household=world.households[a % len(world.households)]
        )
    elif op == 5 and visits:  # a visit deleted with its persons reached
        visits[b % len(visits)].delete()
    elif op == 6:  # a person's sex corrected, by raw SQL
        sql(
            "UPDATE records_person SET sex = %s WHERE id = %s",
            [["female", "male", "unknown"][b % 3], person.pk],
        )
    elif op == 7:  # two persons merged: one's visits move to the other
        other = world.people[b % len(world.people)]
        if other.pk != person.pk:
            VisitPerson.objects.filter(person=other).exclude(
                visit__in=VisitPerson.objects.filter(person=person).values("visit")
            ).update(person=person)
    elif op == 8:  # a service delivered
        ServiceDelivery.objects.create(
            case=the_cases[a % len(the_cases)],
            service_type=ServiceType.objects.get(code="legal_support"),
            date=day(b * 5 % DAYS),
        )
    elif op == 9 and services:  # a service's date corrected
        ServiceDelivery.objects.filter(pk=services[b % len(services)].pk).update(date=day(a * 11 % DAYS))
    elif op == 10:  # a case moved to another person
        Case.objects.filter(pk=the_cases[a % len(the_cases)].pk).update(
            person=world.people[b % len(world.people)]
        )
    elif op == 12 and visits:  # a visit recorded without a household
        OutreachVisit.objects.filter(pk=visits[b % len(visits)].pk).update(household=None)
    elif op == 13:  # a new visit without a household, with someone reached on it
        visit = OutreachVisit.objects.create(
            programme=world.prog,
            organisation=world.orgs[a % 2],
            date=day(b * 3 % DAYS),
            locality=LOCALITIES[b % len(LOCALITIES)],
            site_type=SiteType.objects.get(code="household"),
        )
        VisitPerson.objects.create(visit=visit, person=person)
    elif op == 11:  # a site type's code renamed and back: every rule is rebuilt
        site = SiteType.objects.get(code="household")
        SiteType.objects.filter(pk=site.pk).update(code="household-renamed")
        SiteType.objects.filter(pk=site.pk).update(code="household")


def assert_exact(rules_: list[Indicator], *, from_rows: bool) -> None:
    for rule in rules_:
        for a, b in PERIODS:
            kept = counted.value(rule, day(a), day(b))
            if from_rows:
                assert kept is not None, rule.code
            if kept is not None:
                expected = engine.value(rule, day(a), day(b), counted_rows=False)
                assert figures(kept) == figures(expected), (rule.code, rule.filters, a, b)
                assert engine.monthly(rule, day(a), day(b)) == engine.monthly(
                    rule, day(a), day(b), counted_rows=False
                ), (rule.code, "months", a, b)


edits = st.lists(st.tuples(st.integers(0, 13), st.integers(0, 20), st.integers(0, 20)), max_size=8)


@PROPERTY_SETTINGS
@given(plan=visit_plans, writes=edits)
def test_figures_stay_exact_through_any_writes_before_and_after_a_refresh(
    small_world: World,  # noqa: F811
    plan: Any,
    writes: list[tuple[int, int, int]],
) -> None:
    small_world.load_visits(plan)
    the_cases = cases(small_world)
    chosen = rules(small_world)
    counted.refresh()
    assert not counted.dirty_keys()
    assert_exact(chosen, from_rows=True)
    for op, a, b in writes:
        try:
            with transaction.atomic():
                edit(small_world, the_cases, op, a, b)
        except IntegrityError:
            pass  # a write the database refuses (one visit a day per household) changes nothing
        assert_exact(chosen, from_rows=False)
    counted.refresh()
    assert not counted.dirty_keys()
    assert_exact(chosen, from_rows=True)


def test_a_write_marks_the_keys_it_changes_in_its_own_transaction(small_world: World) -> None:  # noqa: F811
    small_world.load_visits([(0, 3, 0, 0, 0)])
    counted.refresh()
    visit = OutreachVisit.objects.get(programme=small_world.prog)
    VisitPerson.objects.create(visit=visit, person=small_world.people[1])
    marked = counted.dirty_keys()
    assert ("p", small_world.people[1].pk) in marked
    assert ("h", small_world.households[0].pk) in marked


def test_a_rule_changed_since_its_rows_were_built_is_counted_by_the_engine(small_world: World) -> None:  # noqa: F811
    small_world.load_visits([(0, 3, 0, 0, 0), (1, 4, 1, 1, 1)])
    rule = f.indicator(small_world.prog, "persons_reached", "distinct_persons")
    counted.refresh()
    assert counted.value(rule, day(0), day(DAYS - 1)) is not None
    rule.filters = {"organisation": [small_world.orgs[1].slug]}
    rule.save()
    assert counted.value(rule, day(0), day(DAYS - 1)) is None
    assert engine.value(rule, day(0), day(DAYS - 1)).total == 1
    counted.refresh()
    assert counted.value(rule, day(0), day(DAYS - 1)) is not None
    assert engine.value(rule, day(0), day(DAYS - 1)).total == 1


def test_a_rule_that_no_longer_counts_distinct_keys_loses_its_rows(small_world: World) -> None:  # noqa: F811
    small_world.load_visits([(0, 3, 0, 0, 0)])
    rule = f.indicator(small_world.prog, "persons_reached", "distinct_persons")
    counted.refresh()
    rule.measure = Indicator.Measure.RECORDS
    rule.save()
    counted.refresh()
    assert not counted.CountedRule.objects.filter(indicator=rule).exists()


def test_too_many_dirty_keys_are_counted_by_the_engine_then_rebuilt_whole(
    small_world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small_world.load_visits([(0, 3, 0, 0, 0), (1, 4, 1, 1, 1), (2, 5, 0, 2, 2)])
    rule = f.indicator(small_world.prog, "persons_reached", "distinct_persons")
    counted.refresh()
    monkeypatch.setattr(counted, "COUNT_DIRTY_AT_MOST", 1)
    monkeypatch.setattr(counted, "REBUILD_KEYS_AT_MOST", 1)
    OutreachVisit.objects.filter(programme=small_world.prog).update(date=day(9))
    assert counted.value(rule, day(0), day(DAYS - 1)) is None
    assert engine.value(rule, day(9), day(9)).total == 3
    # Before a report reads: never a whole rebuild, which would hold the write lock for seconds.
    counted.refresh(whole=False)
    assert counted.dirty_keys()
    counted.refresh()
    assert not counted.dirty_keys()
    assert counted.value(rule, day(9), day(9)).total == 3


def test_an_import_leaves_the_rows_up_to_date(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    rule = f.indicator(prog, "services", "distinct_persons")
    counted.refresh()
    files = [
        write_csv(tmp_path / "persons.csv", ["external_id", "sex"], [["P-1", "female"], ["P-2", "male"]]),
        write_csv(
            tmp_path / "cases.csv",
            ["external_id", "person", "opened", "consent_not_asked_reason"],
            [["C-1", "P-1", "2021-03-01", "Asked later."], ["C-2", "P-2", "2021-01-04", "Asked later."]],
        ),
        write_csv(
            tmp_path / "services.csv",
            ["external_id", "case", "service_type", "date"],
            [["S-1", "C-1", "legal_support", "2021-03-01"], ["S-2", "C-2", "legal_support", "2021-02-01"]],
        ),
    ]
    run(prog, org, *files)
    assert not counted.dirty_keys()
    kept = counted.value(rule, dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert kept is not None and kept.total == 2
    assert kept.by_organisation == {org.pk: 2}


def test_a_report_rebuilds_dirty_keys_but_leaves_new_rules_to_a_whole_refresh(
    small_world: World,  # noqa: F811
) -> None:
    small_world.load_visits([(0, 3, 0, 0, 0), (1, 4, 1, 1, 1)])
    built = f.indicator(small_world.prog, "persons_reached", "distinct_persons")
    counted.refresh()
    OutreachVisit.objects.filter(programme=small_world.prog).update(date=day(7))
    new = f.indicator(small_world.prog, "visits", "distinct_households", unit="households")
    counted.refresh(whole=False)
    assert not counted.dirty_keys()
    assert counted.value(built, day(7), day(7)).total == 2
    assert counted.value(new, day(7), day(7)) is None  # not built yet: the engine counts it
    assert engine.value(new, day(7), day(7)).total == 2
    counted.refresh()
    assert counted.value(new, day(7), day(7)).total == 2


def test_a_renamed_code_waits_for_a_whole_refresh(small_world: World) -> None:  # noqa: F811
    small_world.load_visits([(0, 3, 0, 0, 0)])
    rule = f.indicator(small_world.prog, "persons_reached", "distinct_persons", {"site_type": ["household"]})
    counted.refresh()
    SiteType.objects.filter(code="household").update(code="home")
    counted.refresh(whole=False)
    assert counted.value(rule, day(0), day(DAYS - 1)) is None
    assert engine.value(rule, day(0), day(DAYS - 1)).total == 0  # the rule names a code no longer there
    counted.refresh()
    assert counted.value(rule, day(0), day(DAYS - 1)).total == 0


def test_saving_a_changed_rule_builds_its_rows_once_committed(
    small_world: World,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    small_world.load_visits([(0, 3, 0, 0, 0), (1, 4, 1, 1, 1)])
    rule = f.indicator(small_world.prog, "persons_reached", "distinct_persons")
    counted.refresh()
    rule.filters = {"organisation": [small_world.orgs[1].slug]}
    with django_capture_on_commit_callbacks(execute=True):
        save_indicator_rule(rule, acting_user=None, changed=["filters"])
    kept = counted.value(rule, day(0), day(DAYS - 1))
    assert kept is not None and kept.total == 1
