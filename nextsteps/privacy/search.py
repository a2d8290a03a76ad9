"""Finding persons by name although names are encrypted: keyed hashes of normalised names.

A person's given name, family name and full name are each normalised (case, diacritics, spacing) and
hashed with HMAC-SHA256 under the search key into an indexed column. A search hashes the typed text the same
way and compares hashes, so the database answers with an index lookup and never sees a name. The price:
only whole names match (no prefixes or parts of a name), and persons with the same name have the same hash.

The hashes are kept up to date by Person.save(); `nextsteps rotate-keys` recomputes them all, which is also
how a new search key is taken into use.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import Q, QuerySet

from nextsteps.privacy import crypto

HASH_FIELDS = ("given_name_hash", "family_name_hash", "full_name_hash")
# Longer than any name: a search costs one hash and one condition per word.
MAX_WORDS = 12

# Letters that carry no combining mark to strip but that people type without their stroke all the same.
_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})


def normalise(text: str) -> str:
    """The form names are compared in: "  ȘTEFĂNESCU-Popa " and "stefanescu popa" are the same name.

    Romanian has two spellings of ș and ț (comma below, and the older cedilla that many keyboards still
    produce); decomposing and dropping combining marks maps both, and every other accent, to the bare letter.
    """
    text = _strip_marks(text).casefold().translate(_FOLD)
    # Case folding can itself produce a combining mark (İ becomes i + dot above).
    text = _strip_marks(text)
    # Hyphens, apostrophes and dots separate words as spaces do.
    text = "".join(c if c.isalnum() else " " for c in text)
    return " ".join(text.split())


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _hash(purpose: str, normalised: str) -> str:
    return crypto.keyed_hash(purpose, normalised) if normalised else ""


def name_hashes(given_name: str, family_name: str) -> dict[str, str]:
    """The values of the three hash columns for a person with these names."""
    given, family = normalise(given_name or ""), normalise(family_name or "")
    return {
        "given_name_hash": _hash("given", given),
        "family_name_hash": _hash("family", family),
        "full_name_hash": _hash("full", " ".join(part for part in (given, family) if part)),
    }


def persons_matching(queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
    """Persons of `queryset` whose given, family or full name is `text`, in any case and with or without
    diacritics. "Ana Maria Popescu" and "Popescu Ana Maria" both find Ana Maria Popescu; "Popescu" finds
    every Popescu. Callers pass a queryset already limited to what the user may see."""
    conditions = name_conditions(text)
    if not conditions:
        return queryset.none()
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return queryset.filter(condition)


def name_conditions(text: str) -> list[Q]:
    """The ways `text` can be a person's name, each a condition on one or two hash columns (persons_matching
    is any of them); none for no text or too many words."""
    words = normalise(text).split()
    if not words or len(words) > MAX_WORDS:
        return []
    whole = " ".join(words)
    conditions = [
        Q(given_name_hash=_hash("given", whole)),
        Q(family_name_hash=_hash("family", whole)),
        Q(full_name_hash=_hash("full", whole)),
    ]
    # Every split of the words into a given and a family name, in either order.
    for cut in range(1, len(words)):
        first, rest = " ".join(words[:cut]), " ".join(words[cut:])
        conditions.append(Q(given_name_hash=_hash("given", rest), family_name_hash=_hash("family", first)))
    return conditions
