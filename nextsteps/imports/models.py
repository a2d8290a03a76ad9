"""An import started from the upload page: who started it, for which organisation, and how it ended.

While it runs, its progress lives in a small file beside the uploaded files (see jobs.py): the import holds
the database's write lock for its one transaction, so progress cannot go through the database."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nextsteps.privacy.fields import EncryptedTextField
from nextsteps.programmes.models import Organisation, Programme


class ImportJob(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="import_jobs")
    language = models.CharField(_("language"), max_length=2)
    date_format = models.CharField(_("date format"), max_length=20, blank=True)
    files = models.JSONField(_("files"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # Error lines and the summary can quote cell values, which may identify a person: encrypted, as JSON.
    errors = EncryptedTextField(_("errors"), blank=True)
    summary = EncryptedTextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.organisation} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
