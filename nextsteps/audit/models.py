"""Who did what to which record, and when. Written by the actions layer; never edited through the app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nextsteps.privacy.fields import EncryptedTextField


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        EXPORT = "export", _("exported")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    # The organisation the record belongs to (whose trail it is part of)…
    organisation = models.ForeignKey(
        "programmes.Organisation", on_delete=models.PROTECT, null=True, blank=True
    )
    # …and the one the user acted for: another one when a case shared with it is read there. Empty for the
    # system, for entries written before it was recorded, and when the user's organisations leave it open.
    acting_organisation = models.ForeignKey(
        "programmes.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting organisation"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    model = models.CharField(_("record type"), max_length=80)
    object_pk = models.CharField(_("record"), max_length=40)
    # Names of the changed fields only: their values may be exactly what must not leak.
    fields = models.JSONField(_("fields"), default=list, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["model", "object_pk"], name="audit_record_idx")]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user or 'system'} {self.action} {self.model}#{self.object_pk}"


class EntryReason(models.Model):
    """Why a record was removed or a reported figure corrected, as the user typed it (at most 500 characters).

    Apart from its entry because it may name someone: it is encrypted like every other free text, and the
    Django admin, which shows operators the trail, never shows it (a system check refuses encrypted fields
    there). The audit trail page shows it to those who read the trail."""

    entry = models.OneToOneField(
        AuditEntry, on_delete=models.CASCADE, primary_key=True, related_name="reason"
    )
    text = EncryptedTextField(_("reason"))

    class Meta:
        verbose_name = _("reason")
        verbose_name_plural = _("reasons")

    def __str__(self) -> str:
        return f"reason of entry {self.entry_id}"


class DataVersion(models.Model):
    """A number that grows with every write to the records and the programme's set-up (one row).

    Live caches of figures (the dashboard's, nextsteps/reports/livecache.py) are valid only for the number
    they were computed at. It is a counter updated inside the writing transaction, not the highest audit
    entry id: ids come from a sequence in the order rows are inserted, not committed, so on PostgreSQL a
    reader could see a higher id while a lower one is still uncommitted, and cache figures without it.
    The row lock of the update orders concurrent writers, which is what makes the number trustworthy.
    """

    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.number)
