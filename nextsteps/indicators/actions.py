"""Writes of counting rules, targets, baselines and hand-entered figures: through the programme's planning actions
(nextsteps/programmes/actions.py), validated by the models' own rules, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from nextsteps.indicators import counted
from nextsteps.indicators.models import Indicator, ManualValue, Target
from nextsteps.programmes.actions import delete_planned, save_planned


def save_target(target: Target, *, acting_user: Any, changed: list[str] | None = None) -> Target:
    return save_planned(
        target, acting_user=acting_user, programme=target.indicator.pillar.programme, changed=changed
    )


def delete_target(target: Target, *, acting_user: Any) -> None:
    delete_planned(target, acting_user=acting_user, programme=target.indicator.pillar.programme)


def save_manual_value(
    value: ManualValue, *, acting_user: Any, changed: list[str] | None = None
) -> ManualValue:
    if value.indicator.measure != Indicator.Measure.MANUAL:
        raise ValidationError(_("This indicator counts records; its figures cannot be entered by hand."))
    return save_planned(
        value, acting_user=acting_user, programme=value.indicator.pillar.programme, changed=changed
    )


def delete_manual_value(value: ManualValue, *, acting_user: Any) -> None:
    delete_planned(value, acting_user=acting_user, programme=value.indicator.pillar.programme)


def save_indicator_rule(
    indicator: Indicator, *, acting_user: Any, changed: list[str] | None = None
) -> Indicator:
    """Save a changed counting rule (source, measure, filters), checked by Indicator.clean as in the admin.
    The audit entry moves the data version on, so cached dashboard figures are recomputed at once."""
    if indicator.pk is None or indicator.measure == Indicator.Measure.MANUAL:
        raise ValidationError(
            _("Only the counting rule of an indicator that counts records can be changed here.")
        )
    saved = save_planned(
        indicator, acting_user=acting_user, programme=indicator.pillar.programme, changed=changed
    )
    # The changed rule's counted rows, built again once the change is committed (seconds at a million
    # persons); reports count it with the engine's own query until then, so its figures are right at once.
    transaction.on_commit(counted.refresh_quietly)
    return saved
