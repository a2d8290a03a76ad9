"""Downloading an attachment: decrypted, as a download that no browser runs or keeps, audited every time, and
404 for anyone outside the case's organisation, a guessed id included."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User
from nextsteps.attachments.actions import upload_attachment
from nextsteps.attachments.models import Attachment
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests import attachments as files
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment() -> Attachment:
    case = m.Case.objects.filter(organisation__slug="ijm-ro").order_by("pk").first()
    assert case is not None
    return upload_attachment(
        case,
        acting_user=User.objects.get(username="caseworker.ijm"),
        kind=Attachment.Kind.IDENTITY_DOCUMENT,
        title="Identity card",
        file_name='../"Carte de identitate"\r\n<script>.pdf',
        declared_type="application/pdf",
        data=files.pdf(),
    )


def url(attachment: Attachment) -> str:
    return reverse("attachments:download", args=[attachment.pk])


def downloads(attachment: Attachment) -> int:
    return AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT, model="attachments.Attachment", object_pk=str(attachment.pk)
    ).count()


def test_the_caseworker_downloads_the_file_as_it_was_uploaded(
    login: Callable[[str], Client], attachment: Attachment
) -> None:
    response = login("caseworker.ijm").get(url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.pdf()  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_the_file_name_is_made_safe_and_keeps_the_real_type(
    login: Callable[[str], Client], attachment: Attachment
) -> None:
    disposition = login("caseworker.ijm").get(url(attachment))["Content-Disposition"]
    assert disposition == 'attachment; filename="Carte_de_identitatescript.pdf"'


def test_a_png_is_served_as_a_png_whatever_else_it_was_called(
    login: Callable[[str], Client], attachment: Attachment
) -> None:
    picture = upload_attachment(
        attachment.case,
        acting_user=None,
        kind=Attachment.Kind.CERTIFICATE,
        title="Certificate",
        file_name="certificat.PNG",
        declared_type="image/png",
        data=files.png(),
    )
    response = login("caseworker.ijm").get(url(picture))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="certificat.png"'


def test_each_download_is_audited(login: Callable[[str], Client], attachment: Attachment) -> None:
    client = login("caseworker.ijm")
    client.get(url(attachment))
    client.get(url(attachment))
    assert downloads(attachment) == 2
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_pk=str(attachment.pk)).first()
    assert entry is not None and entry.user is not None and entry.user.username == "caseworker.ijm"
    assert entry.organisation is not None and entry.organisation.slug == "ijm-ro"


@pytest.mark.parametrize("persona", ["caseworker.sa", "outreach.sa", "coordinator", "viewer", "admin", "dpo"])
def test_other_organisations_and_other_roles_get_404_and_nothing_is_audited(
    login: Callable[[str], Client], attachment: Attachment, persona: str
) -> None:
    assert login(persona).get(url(attachment)).status_code == 404
    assert downloads(attachment) == 0


def test_a_guessed_id_answers_404_like_another_organisations_attachment(
    login: Callable[[str], Client], attachment: Attachment
) -> None:
    client = login("caseworker.sa")
    other = Attachment.objects.exclude(case__organisation__slug="salvation-army-ro").values_list(
        "pk", flat=True
    )
    guessed = [*other, max(other) + 1, 10**9]
    responses = {client.get(reverse("attachments:download", args=[pk])).status_code for pk in guessed}
    assert responses == {404}


def test_a_case_shared_with_another_organisation_does_not_share_its_attachments(
    login: Callable[[str], Client], attachment: Attachment
) -> None:
    salvation = Organisation.objects.get(slug="salvation-army-ro")
    case = attachment.case
    factories.share(case, salvation, by=User.objects.get(username="caseworker.ijm"), days_ago=3)
    client = login("caseworker.sa")
    assert client.get(reverse("records:case-detail", args=[case.pk])).status_code == 200
    assert client.get(url(attachment)).status_code == 404
    assert client.get(reverse("attachments:case", args=[case.pk])).status_code == 404
