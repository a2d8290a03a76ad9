"""Finding a person's identifying values in free text, to erase them there too.

Notes, stories, import errors and file names are free text: a name can be typed in any case, with or
without diacritics, with underscores for spaces (file names); a phone number with or without its country
code and spaces. Text is compared word by word in the normalised form that name search uses (search.py), and
phone numbers by their digits. Matching is whole words: "Ana" is not found in "Anamaria".

Two strengths. In prose (other people's notes) only what points at her alone is replaced: her full name,
phone, address, identity number, her old code and her organisation's id for her. In a cell of an import
error or a file name her given or family name alone is enough: a cell holds one value, and removing
another "Ana" from an error list loses nothing that matters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from nextsteps.privacy.search import normalise

# What replaces a value found in text: no language, nothing to translate.
MARK = "[…]"
WORD = re.compile(r"[^\W_]+")
# Digits with the separators people type inside phone numbers.
DIGITS = re.compile(r"\+?\d(?:[\s\-./()]*\d)+")
# A phone number is recognised by its last nine digits (the number without its country or trunk prefix).
PHONE_DIGITS = 9
MIN_PHONE_DIGITS = 6
# A value shorter than this (normalised) is not looked for: "P 5" would be found in too many texts.
MIN_LENGTH = 4

Words = tuple[str, ...]


def words(text: str) -> Words:
    return tuple(normalise(text).split())


@dataclass(frozen=True)
class Traces:
    phrases: frozenset[Words]
    names: frozenset[Words]
    phone: str = ""

    @classmethod
    def of(cls, person: Any) -> Traces:
        """What identifies this person, taken before it is erased."""
        given, family = words(person.given_name or ""), words(person.family_name or "")
        candidates = [
            given + family,
            family + given,
            words(person.address or ""),
            words(person.identity_number or ""),
            words(person.code or ""),
            words(person.external_id or ""),
        ]
        phone = re.sub(r"\D", "", person.phone or "")
        return cls(
            phrases=frozenset(w for w in candidates if len(" ".join(w)) >= MIN_LENGTH),
            names=frozenset(w for w in (given, family) if len(" ".join(w)) >= MIN_LENGTH),
            phone=phone[-PHONE_DIGITS:] if len(phone) >= MIN_PHONE_DIGITS else "",
        )

    def __bool__(self) -> bool:
        return bool(self.phrases or self.names or self.phone)

    def scrub(self, text: str, *, names: bool = False) -> str:
        """The text with every value of hers replaced by MARK (`names`: a name alone too); the very same
        string when none was found."""
        if not text or not self:
            return text
        # Composed, so that a letter and its diacritic are one word character.
        composed = unicodedata.normalize("NFC", text)
        spans: list[tuple[int, int]] = []
        if self.phone:
            spans += [
                m.span() for m in DIGITS.finditer(composed) if self.phone in re.sub(r"\D", "", m.group())
            ]
        targets = self.phrases | self.names if names else self.phrases
        longest = max((len(t) for t in targets), default=0)
        tokens = [
            t for t in WORD.finditer(composed) if not any(t.start() < b and a < t.end() for a, b in spans)
        ]
        normalised = [normalise(t.group()) for t in tokens]
        i = 0
        while i < len(tokens):
            for size in range(min(longest, len(tokens) - i), 0, -1):
                if tuple(normalised[i : i + size]) in targets:
                    spans.append((tokens[i].start(), tokens[i + size - 1].end()))
                    i += size
                    break
            else:
                i += 1
        if not spans:
            return text
        for start, end in sorted(spans, reverse=True):
            composed = composed[:start] + MARK + composed[end:]
        return composed

    def found_in(self, text: str, *, names: bool = False) -> bool:
        return self.scrub(text, names=names) is not text

    def scrub_json(self, value: Any, *, names: bool = False) -> Any:
        """The same for every text inside a JSON value (lists, objects, strings)."""
        if isinstance(value, str):
            return self.scrub(value, names=names)
        if isinstance(value, list):
            return [self.scrub_json(v, names=names) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub_json(v, names=names) for k, v in value.items()}
        return value
