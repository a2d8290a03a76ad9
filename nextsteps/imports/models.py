"""An import started from the upload page: who started it, for which organisation, and how it ended.

While it runs, its progress lives in a small file beside the uploaded files (see jobs.py): writing it to the
database would compete for SQLite's one write lock with the import's own batches and everyone's saves."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from nextsteps.privacy.fields import EncryptedTextField
from nextsteps.programmes.models import Organisation, Programme


class EncryptedNameList(EncryptedTextField):
    """A list of names (an import's file names, which can name a person) kept as one encrypted JSON text;
    Python code reads and writes a plain list."""

    # What django-stubs reads as the attribute's type.
    _pyi_private_set_type: list[str] | tuple[str, ...]  # type: ignore[assignment]
    _pyi_private_get_type: list[str]  # type: ignore[assignment]

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return self.to_python(super().from_db_value(value, expression, connection))

    def to_python(self, value: Any) -> Any:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return json.loads(value)
        return list(value)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            # No names: stored empty, like every other empty encrypted value.
            return json.dumps(list(value)) if value else ""
        return super().get_prep_value(value)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))


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
    # The names of the uploaded files, as the user named them: on disk they are numbered (jobs.py).
    files = EncryptedNameList(_("files"), default=list, blank=True)
    # The kinds of record (records/kinds.py) the files hold, as ",case,person,", set when the files are read:
    # who may see the job depends on them (accounts/access.py). Empty until then: the author's alone.
    record_kinds = models.CharField(_("kinds of record"), max_length=300, blank=True, editable=False)
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
    def kinds(self) -> list[str]:
        return [kind for kind in self.record_kinds.split(",") if kind]

    @kinds.setter
    def kinds(self, kinds: Iterable[str]) -> None:
        ordered = sorted(set(kinds))
        self.record_kinds = f",{','.join(ordered)}," if ordered else ""

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
