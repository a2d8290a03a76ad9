"""Every write to attachments: atomic, with the acting user, and audited (entries name fields, not values)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from nextsteps.attachments import rules
from nextsteps.attachments.models import Attachment
from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.records.models import Case

CREATED_FIELDS = ("case", "kind", "title", "file_name", "content_type", "size", "uploaded_by", "content")


@transaction.atomic
def upload_attachment(
    case: Case,
    *,
    acting_user: Any,
    kind: str,
    title: str,
    file_name: str,
    declared_type: str,
    data: bytes,
) -> Attachment:
    """Check the file by its content (rules.py) and store it encrypted; ValidationError stores nothing."""
    content_type = rules.checked_type(file_name, declared_type, data)
    attachment = Attachment(
        case=case,
        kind=kind,
        title=title.strip(),
        file_name=rules.base_name(file_name),
        content_type=content_type,
        size=len(data),
        uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        content=data,
    )
    attachment.full_clean(exclude=["content"])
    attachment.save()
    log(AuditEntry.Action.CREATE, attachment, user=acting_user, fields=CREATED_FIELDS)
    return attachment


@transaction.atomic
def delete_attachment(attachment: Attachment, *, acting_user: Any) -> None:
    log(AuditEntry.Action.DELETE, attachment, user=acting_user)
    Attachment.objects.filter(pk=attachment.pk).delete()


def log_download(attachment: Attachment, *, acting_user: Any) -> None:
    """One entry per download: reading a document is reading about the person."""
    log(AuditEntry.Action.EXPORT, attachment, user=acting_user, fields=["content"])


def erase_for_person(erasing: Any) -> None:
    """Erasure and retention (privacy/places.py): the person's attachments go, each with an entry."""
    attachments = Attachment.objects.filter(case__person=erasing.person)
    for attachment in attachments.only("pk", "case"):
        log(
            AuditEntry.Action.DELETE,
            attachment,
            user=erasing.acting_user,
            organisation=erasing.person.organisation,
        )
    attachments.delete()
