"""Finding persons, households and cases as staff type: by the first letters of a code, or by a whole given,
family or full name through the keyed name hashes (nextsteps/privacy/search.py). Used by the pickers of the
forms and by the search page.

Each search is a fixed number of queries whatever the number of records: one per way of matching (the code;
a name: for persons one per column it may be in, given, family or full name, and per split of its words),
each an index lookup limited to LIMIT rows, and one insert into the audit trail when names are shown.
Names are decrypted only for the rows shown, and only for those who may read persons; showing them is
written to the audit trail as a view of each person shown, as opening the person would be.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model, QuerySet

from nextsteps.accounts import access
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.search import name_conditions, persons_matching
from nextsteps.programmes.models import Organisation
from nextsteps.records.kinds import KINDS as RECORD_KINDS
from nextsteps.records.listing import secrets_not_shown
from nextsteps.records.models import Person
from nextsteps.search.codes import CodeKey, code_path, code_starts_with
from nextsteps.widgets import PICKER_SLUGS

# Results of one search: enough to pick from, few enough that names are decrypted for a handful of rows.
LIMIT = 20
# The kinds a picker and the search find, by the slug of their address.
KINDS = {slug: kind for kind, slug in PICKER_SLUGS.items()}
NAME_FIELDS = ("family_name", "given_name")


@dataclass(frozen=True)
class Hit:
    """One record found: what a picker fills in (`label`) and what it shows beside it."""

    kind: str
    pk: int
    code: str
    label: str
    name: str
    detail: str


def picker_queryset(user: Any, kind: str, *, organisations: Iterable[int] = (), programme: Any = None) -> Any:
    """Records of `kind` a form of the user's own organisations may link to: a case shared with them is
    readable, but nothing is recorded on it from there, so shares are left out. `organisations` and
    `programme` narrow it to what the form asks (they never widen it)."""
    own = access.organisations_for(user, kind, access.VIEW)
    wanted = [o for o in own if o in set(organisations)] if organisations else own
    # Without the shares: or'ed with the records asked for, they only made every search's queries longer to
    # build and to plan (about a third of a picker's CPU went to compiling them, once per way of matching).
    qs = access.scoped_own(user, kind).filter(organisation__in=wanted)
    if kind == "case" and programme is not None:
        qs = qs.filter(programme=programme)
    return qs


def search(user: Any, kind: str, text: str, queryset: QuerySet[Any]) -> list[Hit]:
    """At most LIMIT records of `queryset` (already limited to what the user may see) matching `text`,
    by code first, then by name; names shown only to who may read the person, and audited."""
    text = (text or "").strip()
    if not text:
        return []
    vendor = connections[router.db_for_read(queryset.model)].vendor
    path = code_path(kind)
    found: dict[int, Any] = {}
    by_code = code_starts_with("code_key", text, vendor)
    if by_code is not None:
        rows = _with_related(kind, queryset.alias(code_key=CodeKey(path)).filter(by_code))
        for row in rows.order_by("code_key", "pk")[:LIMIT]:
            found[row.pk] = row
    if kind == "person":
        # Asked even when the codes filled the list: the same queries for every search of as many words.
        for row in sorted(_newest_named(queryset, text), key=lambda row: (row.code, row.pk)):
            if len(found) < LIMIT:
                found.setdefault(row.pk, row)
    elif kind == "case":
        # The hashes are compared in a subquery: the persons' table answers from its hash indexes.
        named = persons_matching(Person.objects.all(), text).values("pk")
        rows = _with_related(kind, queryset.filter(person__in=named))
        for row in rows.order_by(path, "pk")[:LIMIT]:
            if len(found) < LIMIT:
                found.setdefault(row.pk, row)
    # Asked once per row: the same answer decides the name shown and its audit entry.
    with_names = [row for row in found.values() if _name_shown(user, kind, row)]
    shown = {row.pk for row in with_names}
    hits = [_hit(kind, row, name_shown=row.pk in shown) for row in found.values()]
    _audit_names(user, with_names, kind)
    return hits


def _newest_named(queryset: QuerySet[Any], text: str) -> list[Any]:
    """The LIMIT most recently recorded persons of `queryset` whose name `text` is. A common given name is
    tens of thousands of persons at national size: ordered by code, every one of them would be read and
    sorted (70 ms at a million persons). Each way of matching is asked apart, newest first, so that each
    query walks one hash index backwards and stops after LIMIT persons; the newest LIMIT of all those
    found are the newest LIMIT of all matches."""
    found: dict[int, Any] = {}
    for condition in name_conditions(text):
        for row in _with_related("person", queryset.filter(condition)).order_by("-pk")[:LIMIT]:
            found[row.pk] = row
    return sorted(found.values(), key=lambda row: row.pk, reverse=True)[:LIMIT]


def _with_related(kind: str, qs: QuerySet[Any]) -> QuerySet[Any]:
    """The rows a search reads: a case with its person, without the encrypted fields no hit shows."""
    return (qs.select_related("person") if kind == "case" else qs).defer(*_unread(kind))


@functools.cache
def _unread(kind: str) -> tuple[str, ...]:
    """Encrypted fields of a row (and of a case's person) that a hit does not show: all but a person's names.
    Loaded, each would be decrypted for every row found (a person's phone, address and identity number, up
    to LIMIT rows for each way of matching), about a tenth of a search's CPU."""
    names = NAME_FIELDS if kind == "person" else tuple(f"person__{name}" for name in NAME_FIELDS)
    paths = ("", "person") if kind == "case" else ("",)
    return secrets_not_shown(RECORD_KINDS[kind].model, paths, shown=names)


def _person_of(kind: str, row: Any) -> Person | None:
    if kind == "person":
        return row  # type: ignore[no-any-return]
    if kind == "case":
        return row.person  # type: ignore[no-any-return]
    return None


def _name_shown(user: Any, kind: str, row: Any) -> bool:
    """Names are for the roles that read persons, in the person's own organisation or one she is shared
    with (a case shared with the user's organisation carries its person)."""
    person = _person_of(kind, row)
    if person is None or not (person.given_name or person.family_name):
        return False
    return access.can(user, "person", access.VIEW, person.organisation_id) or (
        kind == "case" and access.can(user, "person", access.VIEW, row.organisation_id)
    )


def _hit(kind: str, row: Any, *, name_shown: bool) -> Hit:
    person = _person_of(kind, row)
    name = ""
    if person is not None and name_shown:
        name = " ".join(part for part in (person.given_name, person.family_name) if part)
    if kind == "household":
        return Hit(kind, row.pk, row.code, row.code, "", row.locality)
    if kind == "case":
        return Hit(kind, row.pk, row.person.code, str(row), name, str(row.get_status_display()))
    return Hit(kind, row.pk, row.code, row.code, name, "")


def _audit_names(user: Any, rows: list[Any], kind: str) -> None:
    """One view of each person whose name was shown, in one insert per organisation (a user has a few)."""
    from nextsteps.records.actions import insert_audit_entries

    by_organisation: dict[Any, list[Model]] = defaultdict(list)
    for row in rows:
        person = _person_of(kind, row)
        if person is not None:
            by_organisation[person.organisation_id].append(person)
    if not by_organisation:
        return
    # One transaction: outside one, SQLite commits, and syncs to disk, each inserted row on its own.
    with transaction.atomic():
        for organisation_id, persons in by_organisation.items():
            # The trail needs the key alone: no query for an organisation the user is no member of.
            organisation = Organisation(pk=organisation_id)
            entries = [(AuditEntry.Action.VIEW, person.pk, NAME_FIELDS) for person in persons]
            insert_audit_entries(Person, entries, user, organisation)
