"""What the case workspace shows of referrals: the referrals of a case the user may see, and every step of
them as timeline items, on the sending organisation's case and on the receiving organisation's own case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.referrals.models import Referral


@dataclass(frozen=True)
class TimelineItem:
    date: dt.date
    text: str
    url: str
    kind: str = "referral"


def case_referrals(user: Any, case: Any) -> QuerySet[Referral]:
    """Referrals of this case, or delivered on it by the receiving organisation, that the user may see."""
    return (
        access.referrals(user)
        .filter(Q(case=case) | Q(receiving_case=case))
        .select_related("case__person", "from_organisation", "to_organisation")
        .prefetch_related("services")
    )


def case_section_context(user: Any, case: Any) -> dict[str, Any]:
    """What referrals/_case_section.html needs besides the case, and the referrals' steps for the case's
    timeline (casework/sections.py), from the same read."""
    referrals = list(case_referrals(user, case))
    return {
        "referrals": referrals,
        "can_refer": access.may_refer(user, case) and case.status == case.Status.OPEN,
        "timeline": [{"date": item.date, "text": item.text, "url": item.url} for item in _items(referrals)],
    }


def steps(referral: Referral) -> list[tuple[dt.date, str]]:
    """The referral's steps so far, oldest first, as sentences."""
    names = {"sender": referral.from_organisation, "receiver": referral.to_organisation}
    items = [(referral.sent_on, _("Referral from %(sender)s to %(receiver)s sent.") % names)]
    if referral.withdrawn_on:
        items.append(
            (referral.withdrawn_on, _("Referral from %(sender)s to %(receiver)s withdrawn.") % names)
        )
    if referral.answered_on:
        answer = (
            _("Referral from %(sender)s to %(receiver)s declined.")
            if referral.state == Referral.State.DECLINED
            else _("Referral from %(sender)s to %(receiver)s accepted.")
        )
        items.append((referral.answered_on, answer % names))
    if referral.completed_on:
        items.append(
            (referral.completed_on, _("Referral from %(sender)s to %(receiver)s completed.") % names)
        )
    return items


def timeline_items(user: Any, case: Any) -> list[TimelineItem]:
    """Every step of the case's referrals the user may see, oldest first."""
    return _items(case_referrals(user, case))


def _items(referrals: Iterable[Referral]) -> list[TimelineItem]:
    items = [
        TimelineItem(day, text, reverse("referrals:detail", args=[referral.pk]))
        for referral in referrals
        for day, text in steps(referral)
    ]
    return sorted(items, key=lambda item: item.date)
