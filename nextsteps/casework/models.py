"""The case file a caseworker keeps: assessments, the case plan (goals and planned actions), follow-ups and
notes. Every record hangs off a records.Case and belongs to the case's organisation; whatever can name or
describe a person is encrypted. Rules live here (clean) so that pages, commands and the demo all obey them.
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
from nextsteps.programmes.models import TimeStamped
from nextsteps.records.models import (
    Case,
    ExternalId,
    ExternalOrganisation,
    ManagedList,
    ServiceDelivery,
    ServiceType,
    case_period_errors,
    day,
)
from nextsteps.records.versions import Versioned


def works_on_cases_of(user_id: int | None, case: Case | None) -> bool:
    """Whether the user may be given work on this case: someone who writes the case's organisation's cases."""
    if user_id is None or case is None:
        return True
    from nextsteps.accounts.access import case_writers

    return case_writers(case.organisation_id).filter(pk=user_id).exists()


NOT_A_CASE_WORKER = _("This person does not work on cases for the case's organisation.")


class NeedArea(ManagedList):
    class Meta(ManagedList.Meta):
        verbose_name = _("need area")
        verbose_name_plural = _("need areas")


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class Assessment(Versioned, ExternalId, TimeStamped):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("case")
    )
    date = models.DateField(_("date"))
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    # What puts the person in danger often names people and places: encrypted.
    safety_concerns = EncryptedTextField(_("safety concerns"), blank=True)
    needs = models.ManyToManyField(NeedArea, blank=True, verbose_name=_("needs"))
    needs_note = EncryptedTextField(_("about the needs"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("by")
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return str(_("Assessment of %(date)s") % {"date": day(self.date)})

    def clean(self) -> None:
        errors = case_period_errors(self)
        if errors:
            raise ValidationError(errors)


class Goal(Versioned, ExternalId, TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        REACHED = "reached", _("reached")
        DROPPED = "dropped", _("dropped")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals", verbose_name=_("case"))
    # Goals can name people (a reunion with a daughter, a case against a recruiter): encrypted.
    text = EncryptedTextField(_("goal"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        # Not the text: a record's string form ends up in logs and messages, unencrypted.
        return str(_("Goal %(number)s") % {"number": self.pk or ""})


class PlannedAction(Versioned, ExternalId, TimeStamped):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions", verbose_name=_("goal"))
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, verbose_name=_("service"))
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="planned_actions",
        verbose_name=_("responsible person"),
    )
    partner = models.ForeignKey(
        ExternalOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("partner organisation"),
    )
    due = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    # The services recorded from this action: the plan shows what it produced, the report counts them.
    services = models.ManyToManyField(
        ServiceDelivery, blank=True, related_name="planned_actions", verbose_name=_("services delivered")
    )

    class Meta:
        ordering = ["due", "pk"]
        verbose_name = _("planned action")
        verbose_name_plural = _("planned actions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(responsible_user__isnull=False, partner__isnull=False),
                name="planned_action_one_responsible",
                violation_error_message=_("A planned action is for one person or one partner, not both."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_type} ({day(self.due)})" if self.due else str(self.service_type)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def clean(self) -> None:
        if self.responsible_user_id and self.partner_id:
            raise ValidationError(
                {"partner": _("A planned action is for one person or one partner organisation, not both.")}
            )
        case = self.goal.case if self.goal_id else None
        if not works_on_cases_of(self.responsible_user_id, case):
            raise ValidationError({"responsible_user": NOT_A_CASE_WORKER})


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def open(self) -> FollowUpQuerySet:
        return self.filter(done__isnull=True)

    def overdue(self, today: dt.date | None = None) -> FollowUpQuerySet:
        """Not done and due before today: derived on every read, never stored, so it is never stale."""
        return self.open().filter(due__lt=today or dt.date.today())


class FollowUp(Versioned, ExternalId, TimeStamped):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("case")
    )
    what = EncryptedTextField(_("what"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("assigned to"),
    )
    due = models.DateField(_("due date"))
    done = models.DateField(_("done on"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["done", "due", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["case", "done", "due"], name="follow_up_due_idx")]

    def __str__(self) -> str:
        return str(_("Follow-up due %(date)s") % {"date": day(self.due)})

    @property
    def overdue(self) -> bool:
        return self.done is None and self.due < dt.date.today()

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        case = self.case if self.case_id else None
        # A follow-up is planned ahead: it is its creation and completion that fall inside the open period.
        if case is not None and self.due and self.due < case.opened:
            errors["due"] = _("The case opened on %(opened)s: this date is before it.") % {
                "opened": day(case.opened)
            }
        errors.update(case_period_errors(self, "done"))
        if not works_on_cases_of(self.assigned_to_id, case):
            errors["assigned_to"] = NOT_A_CASE_WORKER
        if errors:
            raise ValidationError(errors)


class CaseNote(Versioned, ExternalId, TimeStamped):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case"))
    date = models.DateField(_("date"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("author")
    )
    text = EncryptedTextField(_("note"))

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return str(_("Note of %(date)s") % {"date": day(self.date)})

    def clean(self) -> None:
        errors = case_period_errors(self)
        if errors:
            raise ValidationError(errors)
