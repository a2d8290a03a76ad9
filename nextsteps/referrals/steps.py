"""Each step on a referral, for the pages and the API alike: who may take it (404 for anyone else), the form
it asks, and the action it calls. Each form's fields are the action's own arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from nextsteps.accounts import access
from nextsteps.referrals import actions
from nextsteps.referrals.forms import ConfirmForm, DeclineForm, ReferralOutcomeForm, ReferralServiceForm
from nextsteps.referrals.models import Referral


@dataclass(frozen=True)
class Step:
    allowed: Callable[[Any, Referral], bool]
    form: type[forms.Form]
    action: Callable[..., Any]

    def take(self, user: Any, referral: Referral, data: dict[str, Any]) -> Any:
        return self.action(acting_user=user, referral=referral, **data)


def _by_sender(user: Any, referral: Referral) -> bool:
    return access.may_refer(user, referral.case)


STEPS = {
    "accept": Step(access.may_answer_referral, ConfirmForm, actions.accept_referral),
    "decline": Step(access.may_answer_referral, DeclineForm, actions.decline_referral),
    "withdraw": Step(_by_sender, ConfirmForm, actions.withdraw_referral),
    "complete": Step(access.may_answer_referral, ConfirmForm, actions.complete_referral),
    "service": Step(access.may_answer_referral, ReferralServiceForm, actions.record_referral_service),
    "outcome": Step(access.may_answer_referral, ReferralOutcomeForm, actions.record_referral_outcome),
}
