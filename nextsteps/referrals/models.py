"""A referral: one organisation asks another to deliver named services to a person it follows.

The referral is the request and its answer. The access it gives is the case share the receiving
organisation gets when it accepts (nextsteps/privacy/models.py CaseShare, which ends when the person's
consent ends); what the receiving organisation delivers is recorded on a case of its own for the same
person (`receiving_case`), so that the figures count those services for the organisation that delivered
them and the person once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nextsteps.privacy.fields import EncryptedTextField
from nextsteps.programmes.models import Organisation, TimeStamped
from nextsteps.records.models import Case, ServiceType


def _user(label: Any) -> Any:
    """Who took a step: kept when the user leaves (PROTECT), empty for the system (the demo loader)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=label,
    )


class Referral(TimeStamped):
    class State(models.TextChoices):
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Urgency(models.TextChoices):
        LOW = "low", _("low")
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")

    class Reason(models.TextChoices):
        NOT_OFFERED = "not_offered", _("the services are not offered here")
        RETURN = "return", _("the person is returning or moving there")
        SPECIALIST = "specialist", _("specialist help is needed")
        SAFETY = "safety", _("the person's safety")
        OTHER = "other", _("other")

    # Referrals the receiving organisation may still see: a declined or withdrawn one gives it nothing.
    VISIBLE_TO_RECEIVER = (State.SENT, State.ACCEPTED, State.COMPLETED)
    OPEN = (State.SENT, State.ACCEPTED)

    # The sending organisation's own identifier, so that importing its referrals twice updates them.
    external_id = models.CharField(_("external id"), max_length=80, blank=True, db_index=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case"))
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name=_("from")
    )
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals_received", verbose_name=_("to")
    )
    services = models.ManyToManyField(ServiceType, related_name="+", verbose_name=_("services asked for"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    # Free text about a survivor: encrypted like every note.
    message = EncryptedTextField(_("message"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SENT)
    sent_on = models.DateField(_("sent on"))
    sent_by = _user(_("sent by"))
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = _user(_("answered by"))
    decline_reason = EncryptedTextField(_("reason for declining"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completed_by = _user(_("completed by"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = _user(_("withdrawn by"))
    # The receiving organisation's own case for the person, opened on accepting (or its open case for her,
    # when she is referred to it again): the services and outcomes it delivers on referrals are recorded there.
    receiving_case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_received",
        verbose_name=_("case of the receiving organisation"),
    )

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [
            # One open referral of a case to an organisation at a time: a second would be answered twice.
            models.UniqueConstraint(
                fields=["case", "to_organisation"],
                condition=Q(state__in=["sent", "accepted"]),
                name="one_open_referral_per_case_and_organisation",
                violation_error_message=_("This case already has an open referral to this organisation."),
            ),
            models.UniqueConstraint(
                fields=["from_organisation", "external_id"],
                condition=~Q(external_id=""),
                name="unique_referral_external_id",
                violation_error_message=_(
                    "Another record of this organisation already has this external id."
                ),
            ),
        ]
        indexes = [models.Index(fields=["to_organisation", "state"], name="referral_inbox_idx")]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.case.person.code} → {self.to_organisation}"

    @property
    def days_to_answer(self) -> int | None:
        return (self.answered_on - self.sent_on).days if self.answered_on else None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        today = dt.date.today()
        if self.to_organisation_id is not None and self.to_organisation_id == self.from_organisation_id:
            errors["to_organisation"] = _("A case cannot be referred to its own organisation.")
        for name in ("sent_on", "answered_on", "completed_on", "withdrawn_on"):
            value = getattr(self, name)
            if value and value > today:
                errors[name] = _("A referral's dates cannot be in the future.")
        if self.sent_on and self.case_id is not None and self.sent_on < self.case.opened:
            errors["sent_on"] = _("A case cannot be referred before it opened.")
        for name in ("answered_on", "withdrawn_on"):
            value = getattr(self, name)
            if value and self.sent_on and value < self.sent_on and name not in errors:
                errors[name] = _("A referral cannot be answered or withdrawn before it was sent.")
        if (
            self.completed_on
            and self.answered_on
            and self.completed_on < self.answered_on
            and "completed_on" not in errors
        ):
            errors["completed_on"] = _("A referral cannot be completed before it was accepted.")
        # Each step leaves its date (the actions set them): a referral imported from a file must too.
        answered = (self.State.ACCEPTED, self.State.DECLINED, self.State.COMPLETED)
        if self.state in answered and not self.answered_on:
            errors.setdefault(
                "answered_on", _("An accepted or declined referral needs the date it was answered.")
            )
        if self.state == self.State.COMPLETED and not self.completed_on:
            errors.setdefault("completed_on", _("A completed referral needs the date it was completed."))
        if self.state == self.State.WITHDRAWN and not self.withdrawn_on:
            errors.setdefault("withdrawn_on", _("A withdrawn referral needs the date it was withdrawn."))
        if self.state == self.State.DECLINED and not self.decline_reason.strip():
            errors["decline_reason"] = _("Say why the referral is declined.")
        if errors:
            raise ValidationError(errors)
