"""`nextsteps rotate-keys` re-encrypts attachments' files with the current key, one row at a time, so that the
old key can go and the files still open."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from nextsteps.attachments.actions import upload_attachment
from nextsteps.attachments.models import Attachment
from nextsteps.privacy import rotation
from nextsteps.programmes.models import Programme
from nextsteps.records import models as m
from tests import attachments as files
from tests import keys

pytestmark = pytest.mark.django_db


def stored_tokens() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM attachments_attachment ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def contents() -> list[bytes]:
    return list(Attachment.objects.order_by("pk").values_list("content", flat=True))


@pytest.fixture
def uploaded(demo: Programme) -> list[Attachment]:
    case = m.Case.objects.filter(organisation__slug="next-steps-nl").first()
    assert case is not None
    return [
        upload_attachment(
            case,
            acting_user=None,
            kind=Attachment.Kind.OTHER,
            title=f"Scan {n}",
            file_name=f"scan-{n}.{ext}",
            declared_type="",
            data=data,
        )
        for n, (ext, data) in enumerate([("pdf", files.pdf()), ("png", files.png()), ("jpg", files.jpeg())])
    ]


def test_rotating_re_encrypts_the_files_and_the_old_key_can_be_dropped(
    uploaded: list[Attachment], settings: Any
) -> None:
    before, tokens = contents(), stored_tokens()
    count = len(before)  # the demo's consent form and the three above
    settings.NEXTSTEPS_KEYS = f"{keys.OTHER},{keys.CURRENT}"
    out = StringIO()
    call_command("rotate-keys", "--batch-size", "50", stdout=out, stderr=StringIO())
    assert f"attachments_attachment.content: {count} re-encrypted, 0 already current" in out.getvalue()
    assert all(new != old for new, old in zip(stored_tokens(), tokens, strict=True))
    settings.NEXTSTEPS_KEYS = keys.OTHER
    assert contents() == before


def test_files_are_read_one_row_at_a_time(
    uploaded: list[Attachment], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: dict[str, set[int]] = {}
    real = rotation.batches

    def recording(connection: Any, table: str, pk: str, columns: list[str], batch_size: int) -> Any:
        sizes.setdefault(table, set()).add(batch_size)
        return real(connection, table, pk, columns, batch_size)

    monkeypatch.setattr(rotation, "batches", recording)
    settings.NEXTSTEPS_KEYS = f"{keys.OTHER},{keys.CURRENT}"
    rotation.rotate(rotation.survey(batch_size=500), batch_size=500)
    assert sizes["attachments_attachment"] == {1}
    assert sizes["records_person"] == {500}
