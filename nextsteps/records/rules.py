"""Rules that every dated or counted record obeys, declared on the model as data and checked by the model,
so that the forms, the outreach round, imports, the JSON API and the admin refuse the same mistakes.

A model takes part by inheriting `RecordRules` and naming its fields:

- `record_dates`: each date field with the sentence that refuses a future date. A record says what
  happened, so no date is in the future, and none is before 1900 (a typing slip such as 0221 for 2021);
- `record_counts`: the count and quantity fields, at most `MAX_COUNT`: no school session, visit or
  distribution reaches more, and a figure of 99,999,999,999 is always a slip of the keyboard.

The checks run in `clean_fields`, before the model's own `clean`, and leave a field alone when it already
has an error, so that a user reads one message per field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries import countries

EARLIEST_DATE = dt.date(1900, 1, 1)
# Attendance, quantities and other counts of one record: far above any real session or distribution.
MAX_COUNT = 100_000


Problem = tuple[str | Promise, dict[str, Any]]


def date_problem(value: dt.date | None, future_message: str | Promise) -> Problem | None:
    """Why a record's date cannot be right, as a translatable sentence and its values, or None."""
    if not isinstance(value, dt.date):
        return None
    if value > dt.date.today():
        return future_message, {}
    if value < EARLIEST_DATE:
        return _("A date before %(year)s cannot be right: check the year."), {"year": EARLIEST_DATE.year}
    return None


def count_problem(value: int | None) -> Problem | None:
    if value is not None and value > MAX_COUNT:
        return _("%(value)s is more than %(limit)s: check the number."), {"value": value, "limit": MAX_COUNT}
    return None


def counts_above(limit: int, values: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The values above `limit` but within `MAX_COUNT` (which `count_problem` refuses), in the given order."""
    return [
        (name, value)
        for name, value in values.items()
        if isinstance(value, int) and limit < value <= MAX_COUNT
    ]


def unusual_counts(instance: Any) -> list[tuple[str, int]]:
    """The counts of a record above its programme's `unusual_count`: plausible, yet rare enough that a person
    should look at them again before they enter the figures (a form asks, an import lists them)."""
    names = getattr(instance, "record_counts", ())
    if not names or not getattr(instance, "programme_id", None):
        return []
    return counts_above(instance.programme.unusual_count, {name: getattr(instance, name) for name in names})


class RecordRules:
    record_dates: ClassVar[Mapping[str, str | Promise]] = {}
    record_counts: ClassVar[tuple[str, ...]] = ()

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude)  # type: ignore[misc]
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        skip = set(exclude or ()) | set(errors)
        for name, future in self.record_dates.items():
            if name not in skip and (problem := date_problem(getattr(self, name), future)):
                errors[name] = [ValidationError(str(problem[0]), params=problem[1])]
        for name in self.record_counts:
            if name not in skip and (problem := count_problem(getattr(self, name))):
                errors[name] = [ValidationError(str(problem[0]), params=problem[1])]
        if errors:
            raise ValidationError(errors)


def valid_country(value: str) -> None:
    if value and countries.alpha2(value) != value:
        raise ValidationError(
            str(_("“%(value)s” is not a country code of ISO 3166-1 (such as NL or RO).")),
            params={"value": value},
        )


class CountryCodeField(models.CharField):  # type: ignore[type-arg]
    """A country as its ISO 3166-1 alpha-2 code, in capitals whoever typed it (`ro` is `RO`): a figure by
    nationality must not count Romania twice, nor a country that does not exist."""

    default_validators = [valid_country]

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value.strip().upper() if isinstance(value, str) else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, str) and value != value.strip().upper():
            value = value.strip().upper()
            setattr(model_instance, self.attname, value)
        return value
