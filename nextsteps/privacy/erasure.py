"""Anonymising a person so that every figure ever reported about them stays exactly what it was.

What goes: names, phone, address, identity number, nationality, the organisation's own ids, the code
(replaced by a random pseudonym such as ERASED-3F9A0C1B), the name-search hashes, and everything else that
identified them wherever it is held: the notes on their cases, services and outcomes, the attachments of
their cases (deleted), the texts of stories
about them (which are no longer published), their values in the organisation's other notes, in its import
jobs (errors, summaries, file names) and in the admin's history (see places.py). Afterwards the database's
files are cleared of the freed bytes (storage.py).

What stays, because figures are computed from it: sex, survivor status, the organisation, every case, service,
outcome, visit and household membership with its date and place, and enough of the birth date to place the
person in the same age group on the date of every record. Reports place a person by age on a record's date
(adult from `adult_on`, see nextsteps/indicators/engine.py), so the exact birth date is replaced by:

1. the birth year alone, when "adult from 1 July of the eighteenth year" (how a year alone is read) puts every
   record of theirs in the same age group as before; that is so for almost everyone;
2. otherwise a date taken from their own records: the first record on which they counted as an adult (or the
   day after the last on which they counted as a child). It says nothing the records do not say already.
   Only people who came of age in the middle of their records need it.

Consents, case shares and the audit trail stay: they name no one (audit entries name fields, never values), and they are the evidence that the
programme acted lawfully. An Erasure row says that, when and why the person was erased, and by whom.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.indicators.sources import SOURCES
from nextsteps.privacy import places, storage
from nextsteps.privacy.models import Erasure
from nextsteps.privacy.traces import Traces
from nextsteps.records import actions
from nextsteps.records.models import Person, eighteenth_birthday

ERASED_PREFIX = "ERASED-"
PERSON_FIELDS = (
    "code",
    "given_name",
    "family_name",
    "phone",
    "address",
    "identity_number",
    "nationality",
    "external_id",
    "birth_date",
    "birth_year",
)


class AlreadyErased(ValueError):
    pass


def record_dates(person: Person) -> set[dt.date]:
    """The date of every record that any indicator could count for this person: each source that counts
    persons names its person and date path, so a new source is covered without a change here."""
    dates: set[dt.date] = set()
    for source in SOURCES.values():
        if source.person:
            dates.update(
                source.model._default_manager.filter(**{source.person: person})
                # A record not dated yet (a presumption awaiting its decision) is counted on no date.
                .exclude(**{f"{source.date}__isnull": True})
                .values_list(source.date, flat=True)
                .distinct()
            )
    return dates


def keeps_age_groups(
    adult_on: dt.date | None, new_adult_on: dt.date | None, dates: Iterable[dt.date]
) -> bool:
    if adult_on is None or new_adult_on is None:
        return adult_on == new_adult_on
    return all((day >= adult_on) == (day >= new_adult_on) for day in dates)


def reduced_birth(person: Person, dates: set[dt.date]) -> tuple[dt.date | None, int | None]:
    """(birth date, birth year) to keep: the least that leaves every record in its age group."""
    adult_on = person.adult_on
    if adult_on is None:
        return None, None
    year = person.birth_year
    if year is not None and keeps_age_groups(adult_on, eighteenth_birthday(None, year), dates):
        return None, year
    last_child = max((d for d in dates if d < adult_on), default=None)
    first_adult = min((d for d in dates if d >= adult_on), default=None)
    candidates = [first_adult, last_child + dt.timedelta(days=1) if last_child else None]
    for candidate in candidates:
        if candidate is None or not keeps_age_groups(adult_on, candidate, dates):
            continue
        try:
            born = candidate.replace(year=candidate.year - 18)
        except ValueError:  # 29 February: no such day 18 years earlier
            continue
        if eighteenth_birthday(born, None) == candidate:
            return born, born.year
    # Not reached for real dates; keeping the true birth date is safer than changing a figure.
    return person.birth_date, person.birth_year


def new_pseudonym(person: Person) -> str:
    while True:
        code = f"{ERASED_PREFIX}{secrets.token_hex(4).upper()}"
        if not Person.objects.filter(organisation_id=person.organisation_id, code=code).exists():
            return code


def erase_person(
    person: Person, *, acting_user: Any, reason: str = Erasure.Reason.REQUEST, clear_files: bool = True
) -> Erasure:
    """Anonymise one person for good (see the module's description); raises AlreadyErased when done before.

    Then the database's files are cleared of the old bytes (after the commit when called in a transaction);
    `clear_files=False` leaves that to the caller, e.g. once after a retention run."""
    erasure = _erase(person, acting_user=acting_user, reason=reason)
    if clear_files:
        storage.clear_freed_bytes(places.tables())
    return erasure


@transaction.atomic
def _erase(person: Person, *, acting_user: Any, reason: str) -> Erasure:
    person = Person.objects.select_for_update().get(pk=person.pk)
    if Erasure.objects.filter(person=person).exists():
        raise AlreadyErased(_("%(code)s was erased already.") % {"code": person.code})
    traces = Traces.of(person)
    dates = record_dates(person)
    adult_on = person.adult_on
    person.birth_date, person.birth_year = reduced_birth(person, dates)
    for name in ("given_name", "family_name", "phone", "address", "identity_number", "nationality"):
        setattr(person, name, "")
    person.external_id = ""
    person.code = new_pseudonym(person)
    # save() clears the name hashes along with the names and derives adult_on from what is left.
    person.save()
    if not keeps_age_groups(adult_on, person.adult_on, dates):
        raise RuntimeError("erasure would move a record to another age group")  # rolls everything back
    log(AuditEntry.Action.CHANGE, person, user=acting_user, fields=PERSON_FIELDS)
    places.clear_everywhere(places.Erasing(person=person, traces=traces, acting_user=acting_user))
    return actions.create_record(
        Erasure,
        acting_user=acting_user,
        person=person,
        organisation=person.organisation,
        erased_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        reason=reason,
    )
