"""Likely duplicate persons: same organisation, same normalised full name, compatible year of birth."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nextsteps.records.duplicates import likely_duplicates, possible_duplicates_of
from nextsteps.records.models import Person
from tests import factories as f

pytestmark = pytest.mark.django_db


def named(org: Any, given: str, family: str, year: int | None = None) -> Person:
    return f.person(org, born=dt.date(year, 3, 1) if year else None, given_name=given, family_name=family)


def pairs_of(*orgs: Any) -> set[tuple[str, str]]:
    return {(p.first.code, p.second.code) for p in likely_duplicates([o.pk for o in orgs])}


def test_it_pairs_the_same_name_typed_differently_with_the_same_year() -> None:
    org = f.organisation()
    ana = named(org, "Ana-Maria", "Popescu", 1990)
    again = named(org, "ana maria", "POPESCU ", 1990)
    assert pairs_of(org) == {(ana.code, again.code)}


def test_it_pairs_a_person_without_a_year_with_one_who_has_it() -> None:
    org = f.organisation()
    ana = named(org, "Ana", "Popescu", 1990)
    no_year = named(org, "Ana", "Popescu")
    assert pairs_of(org) == {(ana.code, no_year.code)}


def test_it_does_not_pair_different_years_or_names() -> None:
    org = f.organisation()
    named(org, "Ana", "Popescu", 1990)
    named(org, "Ana", "Popescu", 1991)
    named(org, "Ana", "Ionescu", 1990)
    f.person(org)  # no name at all
    f.person(org)
    assert pairs_of(org) == set()


def test_it_never_pairs_persons_of_two_organisations() -> None:
    first, second = f.organisation(), f.organisation()
    named(first, "Ana", "Popescu", 1990)
    named(second, "Ana", "Popescu", 1990)
    assert pairs_of(first, second) == set()
    assert not possible_duplicates_of(Person.objects.get(organisation=first)).exists()


def test_it_lists_only_the_organisations_asked_for() -> None:
    first, second = f.organisation(), f.organisation()
    named(first, "Ana", "Popescu", 1990)
    named(first, "Ana", "Popescu", 1990)
    a, b = named(second, "Ion", "Rusu"), named(second, "Ion", "Rusu")
    assert pairs_of(second) == {(a.code, b.code)}


def test_it_reads_the_pairs_in_one_query_however_many_there_are() -> None:
    org = f.organisation()
    for n in range(6):
        named(org, f"Name{n}", "Same", 1990)
        named(org, f"Name{n}", "Same")
    with CaptureQueriesContext(connection) as queries:
        pairs = likely_duplicates([org.pk])
        codes = [(p.first.code, p.second.code, p.first.birth_year) for p in pairs]
    assert len(codes) == 6
    assert len(queries) == 1


def test_it_finds_the_possible_duplicates_of_a_person_not_saved_yet() -> None:
    org, other = f.organisation(), f.organisation()
    ana = named(org, "Ana", "Popescu", 1990)
    named(other, "Ana", "Popescu", 1990)
    typed = Person(organisation=org, given_name="ANA", family_name="popescu", birth_year=1990)
    assert list(possible_duplicates_of(typed)) == [ana]
    assert list(
        possible_duplicates_of(Person(organisation=org, given_name="Ana", family_name="Popescu"))
    ) == [ana]
    assert not possible_duplicates_of(
        Person(organisation=org, given_name="Ana", family_name="Popescu", birth_year=1991)
    ).exists()
    assert not possible_duplicates_of(ana).exists()
