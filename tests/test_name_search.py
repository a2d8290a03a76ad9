"""Persons are found by name through keyed hashes of normalised names, although the names are encrypted."""

from __future__ import annotations

from typing import Any

import pytest

from nextsteps.privacy.search import normalise, persons_matching
from nextsteps.programmes.models import Programme
from nextsteps.records import actions
from nextsteps.records.models import Person
from tests import factories as f
from tests import keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def stefan() -> Person:
    # Comma-below ș and ț, as Romanian is written today.
    return f.person(f.organisation(), "male", given_name="Ștefan", family_name="Țurcanu-Popă")


def found(text: str, queryset: Any = None) -> list[Any]:
    return list(persons_matching(queryset if queryset is not None else Person.objects.all(), text))


def test_it_ignores_case_diacritics_hyphens_and_spacing(stefan: Person) -> None:
    for typed in (
        "Ștefan Țurcanu-Popă",
        "stefan turcanu popa",
        "  STEFAN   TURCANU-POPA ",
        # The older cedilla letters ş and ţ that many keyboards still produce.
        "ŞTEFAN ŢURCANU-POPĂ",
        "ştefan ţurcanu popă",
    ):
        assert found(typed) == [stefan], typed


def test_it_finds_a_given_name_a_family_name_or_both_in_either_order(stefan: Person) -> None:
    assert stefan in found("stefan")
    assert stefan in found("Turcanu Popa")
    assert found("Turcanu-Popa Stefan") == [stefan]


def test_only_whole_names_match(stefan: Person) -> None:
    assert found("Stef") == []
    assert found("Turcanu") == []
    assert found("Stefan Popa") == []
    assert found("") == [] and found(" - ") == []


def test_it_finds_demo_persons_and_only_within_the_queryset_given(demo: Programme) -> None:
    person = Person.objects.filter(organisation__slug="betania").exclude(given_name="").first()
    assert person is not None
    assert person in found(f"{person.given_name} {person.family_name}".upper())
    assert person in found(normalise(person.family_name))
    others = Person.objects.exclude(organisation=person.organisation)
    assert person not in found(f"{person.given_name} {person.family_name}", others)


def test_a_search_is_one_query(stefan: Person, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert found("Popă Ștefan Țurcanu") == []


def test_a_renamed_person_is_found_by_the_new_name_only(stefan: Person) -> None:
    actions.update_record(stefan, acting_user=None, family_name="Ionescu")
    assert found("Stefan Ionescu") == [stefan]
    assert found("Stefan Turcanu-Popa") == []
    stefan.given_name = "Ștefănel"
    stefan.save(update_fields=["given_name"])
    assert found("stefanel ionescu") == [stefan]


def test_a_person_whose_names_are_erased_is_found_by_none(stefan: Person) -> None:
    actions.update_record(stefan, acting_user=None, given_name="", family_name="")
    assert Person.objects.filter(pk=stefan.pk, given_name_hash="", full_name_hash="").exists()
    assert found("Stefan") == []


def test_rotating_the_encryption_keys_leaves_search_working(stefan: Person, settings: Any) -> None:
    # The search key is separate from the encryption keys precisely so that rotation cannot break search.
    settings.NEXTSTEPS_KEYS = f"{keys.OTHER},{keys.CURRENT}"
    assert found("Stefan Turcanu Popa") == [stefan]
    newer = f.person(stefan.organisation, given_name="Ștefan", family_name="Țurcanu-Popă")
    settings.NEXTSTEPS_KEYS = keys.OTHER
    # Hashes written under either encryption key match the same search (names are not decrypted here).
    matching = persons_matching(Person.objects.all(), "Stefan Turcanu Popa").values_list("pk", flat=True)
    assert set(matching) == {stefan.pk, newer.pk}


def test_the_hash_columns_hold_no_name(stefan: Person) -> None:
    given, family = (
        Person.objects.filter(pk=stefan.pk).values_list("given_name_hash", "family_name_hash").get()
    )
    assert all(len(v) == 64 and "stefan" not in v for v in (given, family))
    assert given != family


def test_normalise_maps_romanian_letters_and_other_accents_to_plain_letters() -> None:
    assert normalise("Ș ș Ş ş Ț ț Ţ ţ Ă ă Â â Î î") == "s s s s t t t t a a a a i i"
    assert normalise("Łukasz O'Brien-Müller") == "lukasz o brien muller"


def test_a_text_longer_than_any_name_finds_nobody_without_querying(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert found("ana " * 40) == []
