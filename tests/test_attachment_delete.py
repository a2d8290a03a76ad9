"""Deleting an attachment: for who may change the case, asked for first, audited; 404 for everyone else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.attachments.actions import upload_attachment
from nextsteps.attachments.models import Attachment
from nextsteps.audit.models import AuditEntry
from nextsteps.records import actions
from nextsteps.records import models as m
from nextsteps.records.actions import RecordKept
from tests import attachments as files

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment() -> Attachment:
    case = m.Case.objects.filter(organisation__slug="next-steps-nl").order_by("pk").first()
    assert case is not None
    return upload_attachment(
        case,
        acting_user=None,
        kind=Attachment.Kind.CERTIFICATE,
        title="School certificate",
        file_name="certificate.jpg",
        declared_type="image/jpeg",
        data=files.jpeg(),
    )


def url(attachment: Attachment) -> str:
    return reverse("attachments:delete", args=[attachment.pk])


def test_the_coordinator_confirms_and_the_attachment_is_gone_with_an_audit_entry(
    login: Callable[[str], Client], attachment: Attachment
) -> None:
    client = login("coordinator")
    assert "School certificate" in client.get(url(attachment)).content.decode()
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    response = client.post(url(attachment))
    assert response.status_code == 302
    assert response["Location"] == reverse("attachments:case", args=[attachment.case_id])
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DELETE, model="attachments.Attachment", object_pk=str(attachment.pk)
    ).exists()


@pytest.mark.parametrize("persona", ["dpo", "caseworker.ijm", "caseworker.sa", "viewer", "admin"])
def test_who_may_not_change_the_case_gets_404_and_nothing_goes(
    login: Callable[[str], Client], attachment: Attachment, persona: str
) -> None:
    client = login(persona)
    assert client.get(url(attachment)).status_code == 404
    assert client.post(url(attachment)).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_case_with_attachments_is_not_deleted_along_the_way(attachment: Attachment) -> None:
    case = attachment.case
    m.ServiceDelivery.objects.filter(case=case).delete()
    m.Outcome.objects.filter(case=case).delete()
    with pytest.raises(RecordKept, match="attachments"):
        actions.delete_record(case, acting_user=None)
    assert Attachment.objects.filter(pk=attachment.pk).exists()
