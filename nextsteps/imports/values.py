"""Reading one cell: text, whole numbers, dates, country codes and values of a list, each with a reason when
the cell cannot be read.

Forgiving where no reading is ever wrong (case, surrounding spaces, accents, the labels of a value in any of
the three languages, dates whose reading is certain), strict where a wrong guess would silently change a
record: 03/04/2021 is 3 April in Romania and 4 March in the United States, so it needs a declared format.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries import countries


class Invalid(Exception):
    """A cell that cannot be read; `reason` is a translatable template formatted with `params`."""

    def __init__(self, reason: str | Promise, **params: Any) -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.params = params

    def message(self) -> str:
        return str(self.reason) % self.params if self.params else str(self.reason)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as text: spreadsheets hand over numbers for cells such as ids or phone numbers."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def normalise(text: str) -> str:
    """Case, accents (ș, ş, s), separators and repeated spaces do not matter when matching a value."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\s_\-–]+", " ", plain).split())


# Text and numbers ------------------------------------------------------------------------------------


def parse_text(value: Any, max_length: int | None) -> str:
    text = as_text(value)
    if max_length and len(text) > max_length:
        raise Invalid(_("longer than %(max)s characters"), max=max_length)
    return text


_INTEGER = re.compile(r"^[+]?\d+$")


def parse_integer(value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool):
        raise Invalid(_("not a whole number"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise Invalid(_("not a whole number"))
        number = int(value)
    else:
        text = as_text(value)
        # Thousands separators are refused: "1.000" is one thousand in Dutch and one in English.
        if not _INTEGER.match(text):
            raise Invalid(_("not a whole number written with digits only"))
        number = int(text)
    if minimum is not None and number < minimum:
        raise Invalid(_("smaller than %(min)s"), min=minimum)
    if maximum is not None and number > maximum:
        raise Invalid(_("larger than %(max)s"), max=maximum)
    return number


_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def parse_country(value: Any) -> str:
    text = as_text(value)
    if not _COUNTRY.match(text):
        raise Invalid(_("not a two-letter country code such as RO or NL"))
    # Two letters are not yet a country: XX is none (the list is django-countries', as on the forms).
    if not countries.alpha2(text):
        raise Invalid(_("not a country code of ISO 3166-1, such as RO or NL"))
    return text.upper()


def parse_countries(value: Any) -> str:
    """Country codes separated by semicolons or commas, each one of ISO 3166-1: as a field of several
    countries stores them (sorted, separated by commas), so that a stored value compares equal."""
    from django_countries import countries

    codes: list[str] = []
    for part in re.split(r"[;,]", as_text(value)):
        code = part.strip().upper()
        if not code:
            continue
        if not _COUNTRY.match(code) or code not in countries:
            raise Invalid(
                _("“%(code)s” is not a two-letter country code of ISO 3166-1 such as RO or NL"), code=code
            )
        if code not in codes:
            codes.append(code)
    return ",".join(sorted(codes))


# Dates --------------------------------------------------------------------------------------------

# Month names and their usual abbreviations in Dutch, English and Romanian, without accents.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan januari ianuarie ian",
        "february feb februari februarie",
        "march mar maart mrt martie",
        "april apr aprilie",
        "may mei mai",
        "june jun juni iunie iun",
        "july jul juli iulie iul",
        "august aug augustus",
        "september sep sept septembrie",
        "october oct oktober okt octombrie",
        "november nov noiembrie noi",
        "december dec decembrie",
    ],
    start=1,
):
    for _name in _names.split():
        assert MONTHS.get(_name, _number) == _number, _name
        MONTHS[_name] = _number


@dataclass(frozen=True)
class DateFormat:
    """A declared order of day, month and year for numeric dates, e.g. DD/MM/YYYY."""

    order: str  # "DMY", "MDY" or "YMD"
    text: str

    @classmethod
    def parse(cls, text: str) -> DateFormat:
        parts = re.findall(r"d+|m+|y+", text.strip().lower())
        order = "".join(p[0] for p in parts).upper()
        if order not in {"DMY", "MDY", "YMD"} or re.sub(r"[dmy]+|[\s/.\-]", "", text.lower()):
            raise ValueError(text)
        return cls(order, text.strip().upper())


_NUMERIC_DATE = re.compile(
    r"^(\d{1,4})([./\-])(\d{1,2})\2(\d{1,4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|e|de|ste)?$")


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _full_year(text: str, declared: DateFormat | None) -> int:
    if len(text) == 4:
        return int(text)
    if len(text) == 2 and declared is not None:
        # Declared two-digit years: the nearest past century, as spreadsheets do (70 → 1970, 21 → 2021).
        year = 2000 + int(text)
        return year if year <= dt.date.today().year + 10 else year - 100
    raise Invalid(
        _(
            "the year must have four digits, unless the column's format is declared (for example "
            "--date-format DD/MM/YY, or a header such as “date (DD/MM/YY)”)"
        )
    )


def parse_date(value: Any, declared: DateFormat | None = None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        # A spreadsheet's day number is a date only if the cell was formatted as one, which would have
        # reached us as a date: a bare number is more likely a mistake than 44411 days after 1899.
        raise Invalid(_("a number, not a date; format the cell as a date or write the date as YYYY-MM-DD"))
    text = as_text(value)
    if len(text) == 10 and text[4] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise Invalid(_("not an existing date")) from None
    iso = _ISO_DATETIME.match(text)
    if iso:
        try:
            return dt.date.fromisoformat(iso.group(1))
        except ValueError:
            raise Invalid(_("not an existing date")) from None
    numeric = _NUMERIC_DATE.match(text)
    if numeric:
        return _numeric_date(numeric.group(1), numeric.group(2), numeric.group(3), numeric.group(4), declared)
    return _written_date(text)


_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")


def parse_month(value: Any, declared: DateFormat | None = None) -> dt.date:
    """A month as its first day: written 2021-09 or September 2021 (in nl, en or ro), or as any date of it,
    which is what a spreadsheet makes of a month typed into a cell."""
    if isinstance(value, str):
        text = value.strip()
        if found := _YEAR_MONTH.match(text):
            month = _make_date(int(found.group(1)), int(found.group(2)), 1)
            if month is None:
                raise Invalid(_("not a month; write it as YYYY-MM (for example 2021-09)"))
            return month
        tokens = normalise(text).replace(",", " ").split()
        names = [token for token in tokens if token in MONTHS]
        years = [token for token in tokens if token.isdigit() and len(token) == 4]
        if len(tokens) == 2 and len(names) == 1 and len(years) == 1:
            return dt.date(int(years[0]), MONTHS[names[0]], 1)
    try:
        return parse_date(value, declared).replace(day=1)
    except Invalid as invalid:
        if invalid.params:
            # Ambiguous, or not in the declared format: the date's own reason says what to do.
            raise
        raise Invalid(_("not a month; write it as YYYY-MM (for example 2021-09)")) from None


def _numeric_date(a: str, sep: str, b: str, c: str, declared: DateFormat | None) -> dt.date:
    if len(a) == 4:
        # Year first is read year-month-day everywhere (ISO 8601).
        found = _make_date(int(a), int(b), int(c))
        if found is None:
            raise Invalid(_("not an existing date"))
        return found
    if len(a) > 2:
        raise Invalid(_("not a date"))
    if declared is not None and declared.order != "YMD":
        year = _full_year(c, declared)
        day, month = (int(a), int(b)) if declared.order == "DMY" else (int(b), int(a))
        found = _make_date(year, month, day)
        if found is None:
            raise Invalid(_("not an existing date in the declared format %(format)s"), format=declared.text)
        return found
    year = _full_year(c, None)
    if sep == ".":
        # Dates with dots are written day first wherever dots are used (Romania, the Netherlands, Germany…);
        # no convention writes month first with dots.
        found = _make_date(year, int(b), int(a))
        if found is None:
            raise Invalid(_("not an existing date (dates with dots are read day.month.year)"))
        return found
    day_first = _make_date(year, int(b), int(a))
    month_first = _make_date(year, int(a), int(b))
    if day_first and month_first and day_first != month_first:
        raise Invalid(
            _(
                "ambiguous: it could be %(day_first)s or %(month_first)s; declare the column's format (for "
                "example --date-format DD/MM/YYYY, or a header such as “date (DD/MM/YYYY)”) or write the date "
                "as YYYY-MM-DD"
            ),
            day_first=day_first.isoformat(),
            month_first=month_first.isoformat(),
        )
    found = day_first or month_first
    if found is None:
        raise Invalid(_("not an existing date"))
    return found


def _written_date(text: str) -> dt.date:
    tokens = re.findall(r"[^\W\d_]+|\d+[^\W\d_]*", normalise(text).replace(",", " "))
    day = month = year = None
    for token in tokens:
        if token in MONTHS and month is None:
            month = MONTHS[token]
            continue
        if token.isdigit() and len(token) == 4 and year is None:
            year = int(token)
            continue
        ordinal = _ORDINAL.match(token)
        if ordinal and day is None:
            day = int(ordinal.group(1))
            continue
        raise Invalid(_("not a date; write it as YYYY-MM-DD (for example 2021-08-03)"))
    if day is None or month is None or year is None:
        raise Invalid(_("not a date; write it as YYYY-MM-DD (for example 2021-08-03)"))
    found = _make_date(year, month, day)
    if found is None:
        raise Invalid(_("not an existing date"))
    return found


# Values of a list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    code: str
    labels: Mapping[str, str]  # language code → label
    key: Any = None  # what the import stores: the code itself, or a managed list entry's primary key


@dataclass
class Vocabulary:
    """The allowed values of a column: codes with their labels, matched forgivingly and never ambiguously."""

    name: str
    choices: list[Choice]
    _lookup: dict[str, Choice] = field(default_factory=dict, repr=False)
    _ambiguous: set[str] = field(default_factory=set, repr=False)
    # Cells of a column repeat the same few spellings: each is normalised once.
    _seen: dict[str, Choice] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for choice in self.choices:
            for spelling in {choice.code, *choice.labels.values()}:
                token = normalise(spelling)
                if not token:
                    continue
                known = self._lookup.get(token)
                if known is not None and known.code != choice.code:
                    self._ambiguous.add(token)
                self._lookup.setdefault(token, choice)
        # A code always means itself, even when it is also another value's label in some language.
        for choice in self.choices:
            self._lookup[normalise(choice.code)] = choice
            self._ambiguous.discard(normalise(choice.code))

    def parse(self, value: Any) -> Choice:
        if value.__class__ is str:
            known = self._seen.get(value)
            if known is not None:
                return known
        choice = self._parse(value)
        if value.__class__ is str and len(self._seen) < 10_000:
            self._seen[value] = choice
        return choice

    def _parse(self, value: Any) -> Choice:
        token = normalise(as_text(value))
        if token in self._ambiguous:
            raise Invalid(_("ambiguous: this label belongs to more than one value; use the code"))
        choice = self._lookup.get(token)
        if choice is None:
            raise Invalid(
                _("not one of the allowed values (%(allowed)s, or their Dutch, English or Romanian labels)"),
                allowed=", ".join(c.code for c in self.choices),
            )
        return choice

    def codes(self, keys: Iterable[Any]) -> set[str]:
        """The codes of the values a column stored (their keys), for rules that name values by code."""
        wanted = set(keys)
        return {choice.code for choice in self.choices if choice.key in wanted}

    def parse_many(self, value: Any) -> list[Choice]:
        """Several values in one cell, separated by semicolons or commas (no code or label contains either)."""
        found: list[Choice] = []
        for part in re.split(r"[;,]", as_text(value)):
            if part.strip():
                choice = self.parse(part)
                if choice not in found:
                    found.append(choice)
        return found


def split_names(value: Any) -> list[str]:
    """Names (of organisations) in one cell, separated by semicolons: names may contain commas."""
    names: list[str] = []
    for part in as_text(value).split(";"):
        name = " ".join(part.split())
        if name and name not in names:
            names.append(name)
    return names


def dedupe(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))
