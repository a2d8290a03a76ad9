"""Merging two records of one person (nextsteps/records/duplicates.py finds them): an action like those of
actions.py, atomic and audited.

Everything that points at a person (Person._meta.related_objects: cases, visits reached, consents,
households, stories, an erasure) moves to the person kept; what hangs on cases (services, outcomes,
identifications, referrals, attachments, the case file) moves with its case. Then the other record is deleted
through the delete rule, so that nothing can still point at it. Person-level figures count distinct persons,
so afterwards the person counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.records import versions
from nextsteps.records.actions import delete_record, save_changes
from nextsteps.records.models import Case, Household, Person, Story, VisitPerson

# The kept person's empty details are filled from the other record: what was typed twice is not lost.
FILLED = (
    "given_name",
    "family_name",
    "birth_date",
    "birth_year",
    "nationality",
    "phone",
    "address",
    "identity_number",
)


class MergeRefused(ValidationError):
    """A merge that cannot be done; the message (translated) says why and what to do."""


@dataclass(frozen=True)
class Merged:
    cases: int
    visits: int
    consents: int
    households: int
    stories: int

    def as_fields(self) -> list[str]:
        return [f"{name}:{value}" for name, value in vars(self).items()]


def merge_refusal(keep: Person, other: Person) -> str | None:
    """Why the two cannot be merged (translated), or None: for a page to say so before anyone confirms."""
    if keep.pk == other.pk:
        return _("Choose two different persons to merge.")
    if keep.organisation_id != other.organisation_id:
        return _("Only persons of the same organisation can be merged.")
    from nextsteps.privacy.models import Erasure

    if Erasure.objects.filter(person__in=[keep, other]).exists():
        return _("An erased person cannot be merged.")
    theirs = set(
        Case.objects.filter(person=other, status=Case.Status.OPEN).values_list(
            "programme_id", "organisation_id"
        )
    )
    clash = (
        Case.objects.filter(person=keep, status=Case.Status.OPEN)
        .filter(programme_id__in=[p for p, _o in theirs])
        .select_related("programme")
    )
    for case in clash:
        if (case.programme_id, case.organisation_id) in theirs:
            return _(
                "%(keep)s and %(other)s both have an open case in %(programme)s with the same organisation: "
                "close one of the two cases first, then merge."
            ) % {"keep": keep.code, "other": other.code, "programme": case.programme}
    return None


@transaction.atomic
def merge_persons(keep: Person, other: Person, *, acting_user: Any) -> Merged:
    """Move everything of `other` to `keep`, fill `keep`'s empty details from `other`, delete `other`; or
    raise MergeRefused with nothing changed. Both codes and what moved are in the audit trail."""
    # Locked: a case opened for either meanwhile waits, so that the open-case check holds when moving.
    list(Person.objects.select_for_update().filter(pk__in=[keep.pk, other.pk]).values_list("pk"))
    if refusal := merge_refusal(keep, other):
        raise MergeRefused(refusal, code="refused")
    cases = list(Case.objects.filter(person=other).only("pk"))
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(person=keep, **versions.moved_on(Case))
    for case in cases:
        log(AuditEntry.Action.CHANGE, case, user=acting_user, fields=["person"])

    # A visit that reached both reached one person: the second row goes (the unique visit/person rule).
    both = VisitPerson.objects.filter(person=keep).values("visit_id")
    rows = VisitPerson.objects.filter(person=other)
    visits = list(rows.select_related("visit").only("visit"))
    rows.filter(visit_id__in=both).delete()
    rows.update(person=keep)
    for row in visits:
        log(AuditEntry.Action.CHANGE, row.visit, user=acting_user, fields=["persons"])

    from nextsteps.privacy.models import Consent

    consents = list(Consent.objects.filter(person=other).only("pk", "organisation"))
    Consent.objects.filter(pk__in=[c.pk for c in consents]).update(person=keep)
    for consent in consents:
        log(AuditEntry.Action.CHANGE, consent, user=acting_user, fields=["person"])

    households = list(Household.objects.filter(members=other))
    for household in households:
        household.members.remove(other)
        household.members.add(keep)
        log(AuditEntry.Action.CHANGE, household, user=acting_user, fields=["members"])
    Household.objects.filter(pk__in=[h.pk for h in households]).update(**versions.moved_on(Household))

    stories = list(Story.objects.filter(person=other).only("pk", "organisation"))
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(person=keep, **versions.moved_on(Story))
    for story in stories:
        log(AuditEntry.Action.CHANGE, story, user=acting_user, fields=["person"])

    merged = Merged(len(cases), len(visits), len(consents), len(households), len(stories))
    code = other.code
    other.refresh_from_db()
    keep.refresh_from_db()
    filled = [name for name in FILLED if not getattr(keep, name) and getattr(other, name)]
    if other.birth_date and "birth_date" in filled and keep.birth_year not in (None, other.birth_date.year):
        filled.remove("birth_date")  # her own year stands; the other's date contradicts it
    if keep.sex == "unknown" and other.sex != "unknown":
        filled.append("sex")
    no = Person.SurvivorStatus.NO
    if keep.survivor_status == no and other.survivor_status != no:
        filled.append("survivor_status")  # so that her cases' identifications still agree with her
    for name in filled:
        setattr(keep, name, getattr(other, name))
    if "birth_date" in filled:
        keep.birth_year = None  # derived again from the date on save
    delete_record(other, acting_user=acting_user)
    # Validated after the move: her cases' identifications must agree with the person kept.
    # What moves to her is the merge's doing: the merge is the reason, also in a period already reported.
    save_changes(
        keep, acting_user=acting_user, changed=filled, reason=_("Merged with a duplicate of this person.")
    )
    log(AuditEntry.Action.CHANGE, keep, user=acting_user, fields=[f"merged:{code}", *merged.as_fields()])
    return merged
