"""A volunteer's rights and retention, as a person's: everything held about them as a file they can read, and
erasure of what identifies them, keeping every figure the same.

A volunteer's identifying details are their name and phone number (encrypted in the database), their code and
the organisation's own id (which files may key to them). Erasure empties the name, phone and external id and
gives the record a pseudonym code (ERASED-…); the sign-up date, stage, screening and training dates, campaign,
locality and hours stay, because indicators count them and they name no one.

Retention: a volunteer who left is erased once their programme's retention period
(`retention_months_after_closure`, the same period as for casework) has passed since the volunteer record last
changed and since the last month of hours recorded for them.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.erasure import ERASED_PREFIX, AlreadyErased
from nextsteps.privacy.export import _field, _iso
from nextsteps.privacy.retention import months_before
from nextsteps.programmes.models import Programme
from nextsteps.records import versions
from nextsteps.records.models import Volunteer, VolunteerHours

ERASED_FIELDS = ("code", "name", "phone", "external_id")
DETAILS = (
    "code",
    "name",
    "phone",
    "signed_up",
    "stage",
    "locality",
    "references_checked",
    "certificate_checked",
    "safeguarding_signed",
    "confidentiality_signed",
    "training_sessions",
    "last_training",
    "external_id",
)


def is_erased(volunteer: Volunteer) -> bool:
    return volunteer.code.startswith(ERASED_PREFIX)


def volunteer_data(volunteer: Volunteer, language: str) -> dict[str, Any]:
    """Everything held about a volunteer, in the reader's language: their details, hours per month, and who
    did what with their records (organisations, not staff names, as for persons)."""
    with translation.override(language):
        volunteer = Volunteer.objects.select_related("organisation", "campaign").get(pk=volunteer.pk)
        hours = list(VolunteerHours.objects.filter(volunteer=volunteer).order_by("month"))
        audit = (
            AuditEntry.objects.filter(
                Q(model=Volunteer._meta.label, object_pk=str(volunteer.pk))
                | Q(model=VolunteerHours._meta.label, object_pk__in=[str(h.pk) for h in hours])
            )
            .select_related("organisation", "acting_organisation")
            .order_by("at", "pk")
        )
        return {
            "language": language,
            "exported_at": _iso(dt.datetime.now(dt.UTC)),
            "organisation": str(volunteer.organisation),
            "volunteer": [_field(volunteer, name) for name in DETAILS],
            "campaign": volunteer.campaign.name if volunteer.campaign else None,
            "hours": [{"month": h.month.strftime("%Y-%m"), "hours": h.hours} for h in hours],
            "audit": [
                {
                    "at": _iso(e.at),
                    "action": e.get_action_display(),
                    "record": str(
                        (Volunteer if e.model == Volunteer._meta.label else VolunteerHours)._meta.verbose_name
                    ),
                    "organisation": str(e.acting_organisation or e.organisation or _("the system")),
                    "fields": e.fields,
                }
                for e in audit
            ],
        }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _pseudonym(volunteer: Volunteer) -> str:
    while True:
        code = f"{ERASED_PREFIX}{secrets.token_hex(4).upper()}"
        if not Volunteer.objects.filter(organisation_id=volunteer.organisation_id, code=code).exists():
            return code


@transaction.atomic
def erase_volunteer(volunteer: Volunteer, *, acting_user: Any) -> Volunteer:
    """Empty what identifies the volunteer and give them a pseudonym code; raises AlreadyErased when done
    before. Written without the model's rules: an active volunteer stored before screening was recorded is
    still erased. The caller clears the database's freed bytes (storage.clear_freed_bytes)."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if is_erased(volunteer):
        raise AlreadyErased(_("%(code)s was erased already.") % {"code": volunteer.code})
    code = _pseudonym(volunteer)
    Volunteer.objects.filter(pk=volunteer.pk).update(
        code=code, name="", phone="", external_id="", **versions.moved_on(Volunteer)
    )
    log(AuditEntry.Action.CHANGE, volunteer, user=acting_user, fields=ERASED_FIELDS)
    volunteer.refresh_from_db()
    return volunteer


@dataclass(frozen=True)
class DueVolunteer:
    volunteer: Volunteer
    last_activity: dt.date
    months: int


def due_volunteers(today: dt.date, programme: Programme | None = None) -> list[DueVolunteer]:
    """Volunteers who left and whose retention period has passed, in code order; a fixed number of queries."""
    volunteers = (
        Volunteer.objects.filter(
            stage=Volunteer.Stage.LEFT, programme__retention_months_after_closure__isnull=False
        )
        .exclude(code__startswith=ERASED_PREFIX)
        .select_related("organisation", "programme")
        .annotate(last_month=Max("hours__month"))
    )
    if programme is not None:
        volunteers = volunteers.filter(programme=programme)
    due = []
    for volunteer in volunteers:
        months = volunteer.programme.retention_months_after_closure or 0
        last = max(volunteer.updated_at.date(), volunteer.last_month or dt.date.min)
        if last < months_before(today, months):
            due.append(DueVolunteer(volunteer, last, months))
    return sorted(due, key=lambda d: (d.volunteer.organisation.slug, d.volunteer.code))


def apply_volunteer_retention(
    today: dt.date, programme: Programme | None = None, *, acting_user: Any = None
) -> list[Volunteer]:
    """Erase every volunteer due, each in a transaction of its own."""
    return [erase_volunteer(d.volunteer, acting_user=acting_user) for d in due_volunteers(today, programme)]
