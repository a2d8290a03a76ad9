"""Retention: identifying data of people whose casework ended long ago is anonymised, by the same erasure
that a person's own request triggers (so every past figure stays the same).

A person is due when every one of their cases is closed (status closed, with a closing date) in a programme
that sets `retention_months_after_closure`, the last of them closed more than N months ago, and nothing has
been recorded about them since (no service, outcome, visit or story dated within those N months). When their
cases lie in several programmes the longest period applies, and a programme without a period keeps its
people: then nothing of theirs is anonymised. People never part of a case (outreach contacts) are outside
this rule.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Prefetch, Q, QuerySet

from nextsteps.indicators.sources import SOURCES
from nextsteps.privacy import places, storage
from nextsteps.privacy.erasure import erase_person
from nextsteps.privacy.models import Erasure
from nextsteps.programmes.models import Programme
from nextsteps.records.models import Case, Person, Story


@dataclass(frozen=True)
class Due:
    person: Person
    last_closed: dt.date
    months: int


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier, or the month's last day when it is shorter (31 May - 3 = 28 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _candidates(programme: Programme | None) -> QuerySet[Person]:
    keeps = Case.objects.filter(
        ~Q(status=Case.Status.CLOSED)
        | Q(closed__isnull=True)
        | Q(programme__retention_months_after_closure__isnull=True)
    ).values("person_id")
    persons = Person.objects.filter(cases__isnull=False, erasure__isnull=True).exclude(pk__in=keeps)
    if programme is not None:
        persons = persons.filter(cases__programme=programme)
    return persons.distinct()


def _last_records(persons: QuerySet[Person]) -> dict[int, dt.date]:
    """The date of each person's latest record of any kind that figures count, and of their stories."""
    ids = persons.values("pk")
    last: dict[int, dt.date] = {}
    queries: list[tuple[QuerySet[Any], str, str]] = [
        (source.model._default_manager.all(), source.person, source.date)
        for source in SOURCES.values()
        if source.person
    ]
    queries.append((Story.objects.all(), "person", "date"))
    for qs, person_path, date_path in queries:
        rows = (
            qs.filter(**{f"{person_path}__in": ids})
            .values(person_path)
            .annotate(last=Max(date_path))
            .order_by()
            .values_list(person_path, "last")
        )
        for person_id, day in rows:
            if day and (person_id not in last or day > last[person_id]):
                last[person_id] = day
    return last


def due_for_erasure(today: dt.date, programme: Programme | None = None) -> list[Due]:
    """Persons whose retention period has passed, in code order; a fixed number of queries."""
    persons = _candidates(programme)
    last_record = _last_records(persons)
    cases = Case.objects.select_related("programme")
    due: list[Due] = []
    for person in persons.select_related("organisation").prefetch_related(Prefetch("cases", queryset=cases)):
        own = list(person.cases.all())
        months = max(c.programme.retention_months_after_closure or 0 for c in own)
        limit = months_before(today, months)
        last_closed = max(c.closed for c in own if c.closed)
        latest = max(last_closed, last_record.get(person.pk, last_closed))
        if latest < limit:
            due.append(Due(person, last_closed, months))
    return sorted(due, key=lambda d: (d.person.organisation.slug, d.person.code))


def apply_retention(
    today: dt.date, programme: Programme | None = None, *, acting_user: Any = None, clear_files: bool = True
) -> list[Erasure]:
    """Erase everyone due. Each person is erased in a transaction of its own: an interruption keeps what was
    done, and running again finishes the rest. The database's files are cleared of the old bytes once, at
    the end (`clear_files=False` leaves that to the caller)."""
    erased = [
        erase_person(due.person, acting_user=acting_user, reason=Erasure.Reason.RETENTION, clear_files=False)
        for due in due_for_erasure(today, programme)
    ]
    if erased and clear_files:
        storage.clear_freed_bytes(places.tables())
    return erased
