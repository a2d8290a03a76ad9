"""How referrals fared in a period: how many were sent and what became of them, and how many days the
receiving organisations took to answer. For the JSON report (the programme's referrals) and the dashboard
(those the user may see, nextsteps/accounts/access.py); one query whatever the number of referrals."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from nextsteps.referrals.models import Referral

STATES = ("sent", "accepted", "declined", "completed", "withdrawn")


@dataclass(frozen=True)
class AnswerTimes:
    """Referrals sent in a period. `accepted` counts those accepted, completed ones included (a completed
    referral was accepted first); `sent` counts them all, answered or not. Days run from the day a referral
    was sent to the day it was accepted or declined."""

    sent: int = 0
    accepted: int = 0
    declined: int = 0
    completed: int = 0
    withdrawn: int = 0
    answered: int = 0
    median_days: Decimal | None = None
    max_days: int | None = None

    def counts(self) -> dict[str, int]:
        return {state: getattr(self, state) for state in STATES}


def answer_times(referrals: QuerySet[Referral], start: dt.date, end: dt.date) -> AnswerTimes:
    """The figures of the referrals among `referrals` that were sent from `start` to `end`."""
    rows = list(
        referrals.filter(sent_on__gte=start, sent_on__lte=end)
        .order_by()
        .values_list("state", "sent_on", "answered_on")
    )
    states = [state for state, _sent, _answered in rows]
    days = [(answered - sent).days for _state, sent, answered in rows if answered is not None]
    return AnswerTimes(
        sent=len(rows),
        accepted=sum(s in (Referral.State.ACCEPTED, Referral.State.COMPLETED) for s in states),
        declined=states.count(Referral.State.DECLINED),
        completed=states.count(Referral.State.COMPLETED),
        withdrawn=states.count(Referral.State.WITHDRAWN),
        answered=len(days),
        # A Decimal: the median of an even count may fall on a half day (3.5), shown as the reader writes it.
        median_days=Decimal(str(statistics.median(days))) if days else None,
        max_days=max(days) if days else None,
    )


def of_programme(programme: Any) -> QuerySet[Referral]:
    return Referral.objects.filter(case__programme=programme)
