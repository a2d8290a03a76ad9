"""The attachments page of a case: uploading stores the file encrypted and never in clear, anywhere; a file
that is too large, a program renamed .pdf or a file whose content is not what its name or type says is
refused with a clear message, and nothing is stored."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User
from nextsteps.attachments import actions
from nextsteps.attachments.models import Attachment
from nextsteps.attachments.views import case_attachments
from nextsteps.audit.log import data_version
from nextsteps.audit.models import AuditEntry
from nextsteps.records import models as m
from tests import attachments as files

pytestmark = pytest.mark.django_db


@pytest.fixture
def case() -> m.Case:
    case = m.Case.objects.filter(organisation__slug="ijm-ro").order_by("-pk").first()
    assert case is not None
    return case


def url(case: m.Case) -> str:
    return reverse("attachments:case", args=[case.pk])


def upload(client: Client, case: m.Case, name: str, data: bytes, content_type: str, **extra: str) -> Any:
    form = {"kind": "consent_form", "title": "Consent for services", **extra}
    form["file"] = SimpleUploadedFile(name, data, content_type=content_type)  # type: ignore[assignment]
    return client.post(url(case), form)


def state() -> tuple[int, int, int]:
    """What a stored upload changes (a refused one still shows the case again: that read is audited)."""
    writes = AuditEntry.objects.exclude(action=AuditEntry.Action.VIEW).count()
    return Attachment.objects.count(), writes, data_version()


@pytest.fixture
def caseworker(login: Callable[[str], Client]) -> Client:
    """IJM's caseworker, reading English (the persona reads Romanian)."""
    User.objects.filter(username="caseworker.ijm").update(language="en")
    return login("caseworker.ijm")


def newest(case: m.Case) -> Attachment:
    attachment = Attachment.objects.filter(case=case).order_by("-pk").first()
    assert attachment is not None
    return attachment


def raw_cells() -> list[bytes]:
    """Every cell of every table, as bytes, read with raw SQL: what a stolen database would show."""
    quote = connection.ops.quote_name
    found: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        found.append(bytes(value))
                    elif value is not None:
                        found.append(str(value).encode("utf-8", "replace"))
    return found


def files_holding(folder: Path, needle: bytes) -> list[Path]:
    held = []
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            with contextlib.suppress(OSError):
                if needle in path.read_bytes():
                    held.append(path)
    return held


def test_a_caseworker_uploads_a_consent_form_and_it_is_listed(caseworker: Client, case: m.Case) -> None:
    client = caseworker
    response = upload(client, case, "consent.pdf", files.pdf(), "application/pdf")
    assert response.status_code == 302
    attachment = newest(case)
    assert attachment.title == "Consent for services"
    assert (attachment.kind, attachment.file_name, attachment.content_type) == (
        "consent_form",
        "consent.pdf",
        "application/pdf",
    )
    assert attachment.size == len(files.pdf())
    assert attachment.uploaded_by is not None and attachment.uploaded_by.username == "caseworker.ijm"
    entry = AuditEntry.objects.filter(model="attachments.Attachment", object_pk=str(attachment.pk)).get()
    assert entry.action == AuditEntry.Action.CREATE and "content" in entry.fields
    page = client.get(url(case)).content.decode()
    assert "Consent for services" in page
    assert reverse("attachments:download", args=[attachment.pk]) in page
    assert 'enctype="multipart/form-data"' in page


def test_the_database_never_holds_the_uploaded_bytes_or_names_in_clear(
    caseworker: Client, case: m.Case
) -> None:
    title = "Passport of ZQX-Ileana-Vârtosu"
    response = upload(caseworker, case, "ZQX-passport-scan.pdf", files.pdf(), "application/pdf", title=title)
    assert response.status_code == 302
    cells = raw_cells()
    for needle in (files.MARKER, b"ZQX-passport-scan", title.encode()):
        assert not [cell for cell in cells if needle in cell], needle
    # …while the application reads them back.
    attachment = newest(case)
    assert files.MARKER in Attachment.objects.filter(pk=attachment.pk).values_list("content", flat=True).get()


def test_a_large_upload_is_never_written_in_clear_to_a_temporary_file_or_the_data_folder(
    caseworker: Client, case: m.Case, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Django's usual handlers write uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file, removed
    # when the request ends: the folders are looked at while the upload is being stored.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    big = files.pdf(files.MARKER * (3_000_000 // len(files.MARKER)))
    assert len(big) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    seen: list[Path] = []
    real = actions.upload_attachment

    def looking(*args: Any, **kwargs: Any) -> Any:
        seen.extend(files_holding(tmp_path, files.MARKER))
        seen.extend(files_holding(Path(settings.DATA_DIR), files.MARKER))
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "upload_attachment", looking)
    assert upload(caseworker, case, "scan.pdf", big, "application/pdf").status_code == 302
    assert seen == []
    assert files_holding(tmp_path, files.MARKER) == []


def test_an_oversized_file_is_refused_with_a_clear_message_and_nothing_stored(
    caseworker: Client, case: m.Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Refused while it arrives: the upload never reaches the point where a whole file is looked at.
    monkeypatch.setattr(actions, "upload_attachment", None)
    before = state()
    data = files.pdf(b"x" * (10 * 1024 * 1024))
    response = upload(caseworker, case, "scan.pdf", data, "application/pdf")
    assert response.status_code == 400
    assert (
        "“scan.pdf” is larger than 10 MB, the largest file that can be attached. Nothing was stored."
        in response.content.decode()
    )
    assert state() == before


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        (
            "consent.pdf",
            files.executable(),
            "application/pdf",
            "“consent.pdf” is a program or an archive, not a document, whatever its name says.",
        ),
        (
            "consent.pdf",
            b"\x7fELF\x02\x01\x01" + b"\x00" * 100,
            "application/pdf",
            "“consent.pdf” is a program or an archive, not a document, whatever its name says.",
        ),
        (
            "consent.pdf",
            files.png(),
            "application/pdf",
            "“consent.pdf” is named as a PDF file, but its content is a PNG file.",
        ),
        (
            "photo.png",
            files.jpeg(),
            "image/png",
            "“photo.png” is named as a PNG file, but its content is a JPEG file.",
        ),
        (
            "photo.jpg",
            files.jpeg(),
            "image/png",
            "“photo.jpg” was sent as “image/png”, but its content is a JPEG file.",
        ),
        ("notes.exe", files.executable(), "application/x-msdownload", "Only PDF, JPEG and PNG files"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_stored(
    caseworker: Client, case: m.Case, name: str, data: bytes, content_type: str, message: str
) -> None:
    before = state()
    response = upload(caseworker, case, name, data, content_type)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert state() == before


def test_the_refusal_is_in_the_users_language(login: Callable[[str], Client], case: m.Case) -> None:
    # IJM's caseworker reads Romanian.
    response = upload(login("caseworker.ijm"), case, "acord.pdf", files.png(), "application/pdf")
    assert response.status_code == 400
    assert "„acord.pdf” are numele unui fișier PDF, dar conținutul său este un fișier PNG" in (
        response.content.decode()
    )


def test_a_form_without_a_title_keeps_nothing(caseworker: Client, case: m.Case) -> None:
    before = state()
    response = upload(caseworker, case, "consent.pdf", files.pdf(), "application/pdf", title="")
    assert response.status_code == 400
    assert state() == before


def test_the_data_protection_officer_reads_the_list_but_uploads_nothing(
    login: Callable[[str], Client],
) -> None:
    case = m.Case.objects.filter(organisation__slug="next-steps-nl").first()
    assert case is not None
    client = login("dpo")
    assert client.get(url(case)).status_code == 200
    assert b'enctype="multipart/form-data"' not in client.get(url(case)).content
    before = state()
    assert upload(client, case, "consent.pdf", files.pdf(), "application/pdf").status_code == 404
    assert state() == before


def test_another_organisations_case_answers_404_and_takes_nothing(
    login: Callable[[str], Client], case: m.Case
) -> None:
    client = login("caseworker.sa")
    assert client.get(url(case)).status_code == 404
    before = state()
    assert upload(client, case, "consent.pdf", files.pdf(), "application/pdf").status_code == 404
    assert state() == before
    assert client.get(reverse("attachments:case", args=[10**9])).status_code == 404


def test_reading_the_list_is_audited_as_reading_the_case(caseworker: Client, case: m.Case) -> None:
    caseworker.get(url(case))
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.VIEW, model="records.Case", object_pk=str(case.pk)
    ).exists()


def test_the_page_checks_the_csrf_token(case: m.Case, caseworker: Client) -> None:
    client = caseworker
    client.handler.enforce_csrf_checks = True
    before = state()
    assert upload(client, case, "consent.pdf", files.pdf(), "application/pdf").status_code == 403
    assert state() == before


def test_the_case_section_needs_only_the_case_and_its_attachments(
    login: Callable[[str], Client], case: m.Case, rf: Any
) -> None:
    """For the case workspace, which includes it: the rights and the form come from the request."""
    attachments = case_attachments(case)
    request = rf.get("/")
    request.user = User.objects.get(username="caseworker.ijm")
    html = render_to_string(
        "attachments/_case_section.html", {"case": case, "attachments": attachments}, request=request
    )
    assert 'enctype="multipart/form-data"' in html and 'name="file"' in html
    request.user = User.objects.get(username="dpo")
    html = render_to_string(
        "attachments/_case_section.html", {"case": case, "attachments": attachments}, request=request
    )
    assert "multipart/form-data" not in html


def test_the_case_page_links_to_its_attachments(caseworker: Client, case: m.Case) -> None:
    page = caseworker.get(reverse("records:case-detail", args=[case.pk])).content.decode()
    assert f'href="{url(case)}"' in page
