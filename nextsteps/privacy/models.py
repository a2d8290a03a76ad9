"""What the GDPR makes a programme keep about a person's own choices: consents, the cases shared on the
strength of one, and the erasures carried out. None of it holds identifying text, so none of it is
encrypted, and an erasure leaves it in place as evidence that the programme acted lawfully."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nextsteps.programmes.models import Organisation, TimeStamped
from nextsteps.records.rules import RecordRules


def valid_on(day: Any) -> Q:
    """Consents valid on `day` (a date or an expression such as OuterRef("date")): given on or before it,
    not expired before it, not withdrawn on or before it."""
    return (
        Q(given_on__lte=day)
        & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
    )


class Consent(RecordRules, TimeStamped):
    record_dates = {"given_on": _("A consent cannot be given in the future.")}

    class Purpose(models.TextChoices):
        SERVICES = "services", _("receiving services")
        SHARING = "sharing", _("sharing with a named organisation")
        PUBLICATION = "publication", _("use in reports and stories")

    class GivenBy(models.TextChoices):
        PERSON = "person", _("the person")
        GUARDIAN = "guardian", _("a parent or guardian")
        OTHER = "other", _("someone else")

    # The recording organisation's own identifier, so that importing its consents twice updates them.
    external_id = models.CharField(_("external id"), max_length=80, blank=True, db_index=True)
    person = models.ForeignKey(
        "records.Person", on_delete=models.PROTECT, related_name="consents", verbose_name=_("person")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    shared_with = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared with"),
        help_text=_("Only for sharing: the one organisation the person agreed to share their case with."),
    )
    given_by = models.CharField(_("given by"), max_length=20, choices=GivenBy.choices, default=GivenBy.PERSON)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("The last day the consent holds, if it ends.")
    )
    withdrawn_on = models.DateField(
        _("withdrawn on"), null=True, blank=True, help_text=_("From this day on the consent no longer holds.")
    )
    # The organisation that recorded the consent (the person's own: the one responsible for it).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="consents", verbose_name=_("recorded by")
    )

    # What makes two consents of a person the same one, recorded twice.
    SAME_CONSENT = (
        "person_id",
        "purpose",
        "given_on",
        "shared_with_id",
        "given_by",
        "expires_on",
        "withdrawn_on",
    )

    class Meta:
        ordering = ["-given_on", "-pk"]
        indexes = [models.Index(fields=["person", "purpose"], name="consent_person_purpose_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_consent_external_id",
                violation_error_message=_(
                    "Another record of this organisation already has this external id."
                ),
            )
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_on})"

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.given_on <= day
            and (self.expires_on is None or day <= self.expires_on)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )

    def recorded_twice(self) -> bool:
        """Whether another consent of the person says the same. Bulk writers hand over the stored consents
        of a batch's persons (`_batch_consents`, see records/actions.py), read in one query for all rows."""
        mine = {name: getattr(self, name) for name in self.SAME_CONSENT}
        known = getattr(self, "_batch_consents", None)
        if known is not None:
            return any(
                c.pk != self.pk and all(getattr(c, n) == v for n, v in mine.items())
                for c in known.get(self.person_id, ())
            )
        return Consent.objects.filter(**mine).exclude(pk=self.pk).exists()

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.purpose == self.Purpose.SHARING and self.shared_with_id is None:
            errors["shared_with"] = _("Name the organisation the person agreed to share their case with.")
        if self.purpose != self.Purpose.SHARING and self.shared_with_id is not None:
            errors["shared_with"] = _("Only a consent for sharing names an organisation.")
        if (
            self.shared_with_id is not None
            and self.person_id is not None
            and self.shared_with_id == self.person.organisation_id
        ):
            errors["shared_with"] = _("Choose another organisation than the person's own.")
        if self.person_id is not None and self.purpose and self.given_on and self.recorded_twice():
            # The same consent twice (a double submit, a file imported again under other ids) is refused.
            errors["given_on"] = _("This consent is already recorded for this person on this date.")
        if self.given_on and self.expires_on and self.expires_on < self.given_on:
            errors["expires_on"] = _("A consent cannot end before it was given.")
        if self.given_on and self.withdrawn_on and self.withdrawn_on < self.given_on:
            errors["withdrawn_on"] = _("A consent cannot be withdrawn before it was given.")
        if errors:
            raise ValidationError(errors)


class CaseShare(models.Model):
    """A case that its organisation shares with another one, which may then read it (never change it) for as
    long as the person's consent to share with exactly that organisation holds."""

    case = models.ForeignKey(
        "records.Case", on_delete=models.CASCADE, related_name="shares", verbose_name=_("case")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="shared_cases", verbose_name=_("shared with")
    )
    shared_on = models.DateField(_("shared on"))
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared by"),
    )

    class Meta:
        ordering = ["-shared_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["case", "organisation"], name="unique_case_share")]
        verbose_name = _("shared case")
        verbose_name_plural = _("shared cases")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.organisation} ({self.shared_on})"


class Erasure(models.Model):
    """The trace an erasure leaves: that it happened, when, why and on whose authority, but nothing of what
    was erased."""

    class Reason(models.TextChoices):
        REQUEST = "request", _("the person's request")
        RETENTION = "retention", _("the retention period ended")

    person = models.OneToOneField(
        "records.Person", on_delete=models.PROTECT, related_name="erasure", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"{self.person_id} ({self.erased_at:%Y-%m-%d})"
