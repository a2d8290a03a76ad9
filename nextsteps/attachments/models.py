"""Files kept with a case: consent forms, identity documents, certificates.

Their bytes are held in the database as one token encrypted with the project's current key (fields.py), not
as files in the data folder: a database backup then holds everything (and nothing readable without the key
file, which is backed up apart), `nextsteps rotate-keys` re-encrypts them with the other encrypted values,
and erasure deletes a row rather than hunting for files. No hash of the content is kept: a hash of a small
scan confirms a guess at what it shows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from nextsteps.attachments.fields import EncryptedBytesField
from nextsteps.privacy.fields import EncryptedTextField
from nextsteps.records.models import Case

TITLE_LENGTH = 200
FILE_NAME_LENGTH = 255


class WithoutContent(models.Manager["Attachment"]):
    """Lists never load the files: up to 14 MB each. `content` is read when a download asks for it."""

    def get_queryset(self) -> models.QuerySet[Attachment]:
        return super().get_queryset().defer("content")


class Attachment(models.Model):
    class Kind(models.TextChoices):
        CONSENT_FORM = "consent_form", _("consent form")
        IDENTITY_DOCUMENT = "identity_document", _("identity document")
        CERTIFICATE = "certificate", _("certificate")
        OTHER = "other", _("other document")

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        JPEG = "image/jpeg", "JPEG"
        PNG = "image/png", "PNG"

    # PROTECT: a case with attachments is not deleted along the way (records.actions refuses and says why).
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("case")
    )
    kind = models.CharField(_("kind of document"), max_length=20, choices=Kind.choices)
    # Titles and file names may name the person (“Passport Maria Popescu.jpg”): encrypted like notes.
    title = EncryptedTextField(_("title"), validators=[MaxLengthValidator(TITLE_LENGTH)])
    file_name = EncryptedTextField(_("file name"), validators=[MaxLengthValidator(FILE_NAME_LENGTH)])
    content_type = models.CharField(_("file type"), max_length=20, choices=ContentType.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    content = EncryptedBytesField(_("content"))

    objects = WithoutContent()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return str(self.title)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    def size_label(self) -> Any:
        from django.template.defaultfilters import filesizeformat

        return filesizeformat(self.size)


EXTENSIONS: dict[str, str] = {
    Attachment.ContentType.PDF: ".pdf",
    Attachment.ContentType.JPEG: ".jpg",
    Attachment.ContentType.PNG: ".png",
}
