"""The rules that need a person's consent, in one place: sharing a case with another organisation and
publishing a story. Forms, actions, the access module and the report builder all ask here, so that the
page that refuses and the report that leaves something out apply the same rule.

A story may be published when its person gave a consent for use in reports and stories that was valid on the
story's date and that has not been withdrawn since: a withdrawal stops publication from then on, also in
reports about earlier periods that are made again later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from nextsteps.privacy.models import CaseShare, Consent, valid_on


def _day(value: dt.date) -> str:
    return formats.date_format(value, "j F Y")


def has_sharing_consent(person: Any, organisation: Any, on: dt.date) -> bool:
    return (
        Consent.objects.filter(valid_on(on), person=person, purpose=Consent.Purpose.SHARING)
        .filter(shared_with=organisation)
        .exists()
    )


def sharing_refusal(person: Any, organisation: Any, on: dt.date) -> str | None:
    """Why this person's case cannot be shared with `organisation` on `on`, or None when it can."""
    if has_sharing_consent(person, organisation, on):
        return None
    return _(
        "Missing consent: %(person)s has no valid consent for sharing with %(organisation)s on %(date)s. "
        "Record that consent on the person's consents page first."
    ) % {"person": person.code, "organisation": organisation, "date": _day(on)}


def publication_consents(person: Any, on: Any, today: dt.date) -> QuerySet[Consent]:
    """Consents that allow publishing a story about `person` dated `on` (a date or an expression)."""
    return Consent.objects.filter(valid_on(on), person=person, purpose=Consent.Purpose.PUBLICATION).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today)
    )


def publication_refusal(person: Any, on: dt.date, today: dt.date | None = None) -> str | None:
    """Why a story about `person` dated `on` cannot be published, or None when it can."""
    if person is None or publication_consents(person, on, today or dt.date.today()).exists():
        return None
    return _(
        "Missing consent: %(person)s has no valid consent for use in reports and stories on %(date)s, the "
        "story's date. Record that consent on the person's consents page first, or do not publish the story."
    ) % {"person": person.code, "date": _day(on)}


def publishable(stories: QuerySet[Any], today: dt.date | None = None) -> QuerySet[Any]:
    """The stories of `stories` that may appear in a report: marked for publication, and either about no one
    or about someone whose consent allows it. One query, whatever the number of stories."""
    allowed = publication_consents(OuterRef("person"), OuterRef("date"), today or dt.date.today())
    return stories.filter(consent_to_publish=True).filter(Q(person__isnull=True) | Exists(allowed))


def active_shares(organisations: list[int], today: dt.date | None = None) -> QuerySet[CaseShare]:
    """Shares with these organisations whose consent still holds today: withdrawing or letting the consent
    expire ends the other organisation's access without anyone having to remember to revoke it."""
    consent = Consent.objects.filter(
        valid_on(today or dt.date.today()),
        person=OuterRef("case__person"),
        purpose=Consent.Purpose.SHARING,
        shared_with=OuterRef("organisation"),
    )
    return CaseShare.objects.filter(organisation__in=organisations).filter(Exists(consent))
