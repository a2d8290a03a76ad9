"""Who may import what: a row adds or changes records, so the importing user needs, in the organisation the
records belong to, a role that may add and change every kind of record the row writes (accounts/access.py)."""

from __future__ import annotations

from typing import Any

from nextsteps.accounts import access
from nextsteps.imports import columns as c

# The record kinds (records/kinds.py) that a row of each template adds or changes.
KINDS_WRITTEN: dict[str, tuple[str, ...]] = {
    "persons": ("person",),
    "households": ("household",),
    "household_members": ("household",),
    "cases": ("case",),
    "campaigns": ("campaign",),
    "partner_contacts": ("partner_contact",),
    "outreach_visits": ("visit",),
    "visit_persons": ("visit",),
    "activities": ("activity",),
    "volunteers": ("volunteer",),
    # Hours are recorded by whoever may change the volunteer, as on the volunteer's page.
    "volunteer_hours": ("volunteer",),
    "distributions": ("distribution",),
    # A service or outcome that names only its person opens a case for it.
    "services": ("service", "case"),
    "outcomes": ("outcome", "case"),
    # The case file is written by those who may change the case (accounts/access.py).
    "identifications": ("case",),
    "assessments": ("case",),
    "goals": ("case",),
    "planned_actions": ("case",),
    "follow_ups": ("case",),
    "case_notes": ("case",),
    # A referral is part of the sending organisation's casework, read and changed by its case staff.
    "referrals": ("case",),
    # Consents are recorded on the person's page, by those who may change the person.
    "consents": ("person",),
}
NEEDED = (access.ADD, access.CHANGE)


def kinds_held(type_key: str) -> set[str]:
    """The record kinds whose data a file of this template holds: those its rows write, and those its
    columns refer to (a case's file names its persons)."""
    held = set(KINDS_WRITTEN[type_key])
    for column in c.TYPES[type_key].columns:
        if column.references:
            held.add(KINDS_WRITTEN[column.references][0])
    return held


def may_import(user: Any, organisation_id: int, type_key: str) -> bool:
    return all(
        access.can(user, kind, action, organisation_id)
        for kind in KINDS_WRITTEN[type_key]
        for action in NEEDED
    )


def importable_types(user: Any, organisation_id: int) -> list[c.RecordType]:
    return [t for t in c.RECORD_TYPES if may_import(user, organisation_id, t.key)]


def import_organisations(user: Any) -> list[int]:
    """Ids of the organisations into which the user may import at least one record type."""
    candidates = {m.organisation_id for m in access.memberships(user)}
    return sorted(o for o in candidates if any(may_import(user, o, key) for key in KINDS_WRITTEN))
