"""Helpers shared by the referral tests: a Next Steps NL case referred to IJM Romania."""

from __future__ import annotations

import datetime as dt

from nextsteps.accounts.models import User
from nextsteps.privacy.actions import record_consent
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from nextsteps.referrals.actions import send_referral
from nextsteps.referrals.models import Referral

TODAY = dt.date.today()


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def user(username: str) -> User:
    return User.objects.get(username=username)


def nl_case() -> m.Case:
    """An open case of the Dutch office whose person has no referral yet."""
    case = (
        m.Case.objects.filter(organisation__slug="next-steps-nl", status="open", referrals__isnull=True)
        .order_by("pk")
        .first()
    )
    assert case is not None
    return case


def consent_to_share(case: m.Case, slug: str = "ijm-ro") -> None:
    given_on = TODAY - dt.timedelta(days=10)
    if case.person.consents.filter(purpose="sharing", shared_with=org(slug), given_on=given_on).exists():
        return  # the same consent twice is refused
    record_consent(
        acting_user=None,
        person=case.person,
        purpose="sharing",
        given_on=given_on,
        shared_with=org(slug),
    )


def sent_referral(case: m.Case | None = None, slug: str = "ijm-ro") -> Referral:
    case = case or nl_case()
    consent_to_share(case, slug)
    return send_referral(
        acting_user=user("coordinator"),
        case=case,
        to_organisation=org(slug),
        services=m.ServiceType.objects.filter(code__in=["return_assistance", "legal_support"]),
        reason=Referral.Reason.RETURN,
        urgency=Referral.Urgency.URGENT,
        message="She wants to go home to Iași.",
    )
