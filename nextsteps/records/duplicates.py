"""Persons who are likely the same person typed twice: same organisation, same normalised full name, and
the same year of birth (or no year on one of them).

Matching compares the keyed hashes of the normalised names (nextsteps/privacy/search.py), so no name is
decrypted to find a pair, and never crosses organisations: each organisation's persons are its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from nextsteps.privacy.search import name_hashes
from nextsteps.records.models import Person

# What the pair lists need from a person: nothing encrypted.
FIELDS = ("pk", "organisation_id", "code", "birth_year", "full_name_hash")


@dataclass(frozen=True)
class Pair:
    first: Person  # the older record (lower key): the one a merge keeps by default
    second: Person


def _same_year(year: int | None) -> Q:
    """Persons whose year of birth is `year`, or who have none; anybody when `year` is None."""
    if year is None:
        return Q()
    return Q(birth_year=year) | Q(birth_year__isnull=True)


def _compatible(a: Person, b: Person) -> bool:
    return a.birth_year is None or b.birth_year is None or a.birth_year == b.birth_year


def _with_twin(persons: QuerySet[Person]) -> QuerySet[Person]:
    """The persons that have a likely duplicate: a correlated EXISTS on the indexed hash column."""
    any_twin = Person.objects.filter(
        organisation_id=OuterRef("organisation_id"), full_name_hash=OuterRef("full_name_hash")
    ).exclude(pk=OuterRef("pk"))
    year_twin = any_twin.filter(Q(birth_year=OuterRef("birth_year")) | Q(birth_year__isnull=True))
    return persons.exclude(full_name_hash="").filter(
        Exists(year_twin) | (Q(birth_year__isnull=True) & Exists(any_twin))
    )


def likely_duplicates(organisation_ids: Iterable[int]) -> list[Pair]:
    """Every likely pair of the organisations' persons, each once, in one query: the persons that have a
    twin are read, then paired here."""
    persons = (
        _with_twin(Person.objects.filter(organisation_id__in=list(organisation_ids)))
        .only(*FIELDS)
        .order_by("organisation_id", "full_name_hash", "pk")
    )
    groups: dict[tuple[int, str], list[Person]] = defaultdict(list)
    for person in persons:
        groups[(person.organisation_id, person.full_name_hash)].append(person)
    pairs: list[Pair] = []
    for group in groups.values():
        for i, first in enumerate(group):
            pairs.extend(Pair(first, second) for second in group[i + 1 :] if _compatible(first, second))
    return sorted(pairs, key=lambda pair: (pair.first.code.casefold(), pair.second.code.casefold()))


def possible_duplicates_of(person: Person) -> QuerySet[Person]:
    """The other persons of her organisation that are likely her. Works for a person not saved yet (a form
    being filled in): the hash is computed from her names as they are now."""
    full = name_hashes(person.given_name, person.family_name)["full_name_hash"]
    if not full or not person.organisation_id:
        return Person.objects.none()
    year = person.birth_date.year if person.birth_date else person.birth_year
    others = Person.objects.filter(organisation_id=person.organisation_id, full_name_hash=full).filter(
        _same_year(year)
    )
    if person.pk:
        others = others.exclude(pk=person.pk)
    return others.order_by("code")


# Keys per query when checking the persons of an import: well under SQLite's limit of bound parameters.
CHUNK = 2000
# Codes an import's summary names; the page of possible duplicates lists them all.
SHOWN = 20


def having_duplicates(person_ids: Iterable[int]) -> tuple[int, list[str]]:
    """How many of these persons (an import's) have a likely duplicate, and the codes of the first few."""
    ids = sorted(set(person_ids))
    count, codes = 0, list[str]()
    for start in range(0, len(ids), CHUNK):
        found = _with_twin(Person.objects.filter(pk__in=ids[start : start + CHUNK])).order_by("code")
        chunk = list(found.values_list("code", flat=True))
        count += len(chunk)
        codes += chunk[: max(0, SHOWN - len(codes))]
    return count, codes
