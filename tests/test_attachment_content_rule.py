"""What may be attached is decided by the content: PDF, JPEG and PNG only, matching the name and the declared
type, up to the size limit; anything else is refused with a message that says what was found."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from nextsteps.attachments import rules
from tests import attachments as files


def refusal(name: str, declared: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        rules.checked_type(name, declared, data)
    return caught.value


@pytest.mark.parametrize(
    ("name", "declared", "data", "expected"),
    [
        ("consent.pdf", "application/pdf", files.pdf(), "application/pdf"),
        ("ID card.PNG", "image/png", files.png(), "image/png"),
        ("certificate.jpeg", "image/jpeg", files.jpeg(), "image/jpeg"),
        ("certificate.jpg", "", files.jpeg(), "image/jpeg"),
        ("scan.pdf", "application/octet-stream", files.pdf(), "application/pdf"),
    ],
)
def test_pdf_jpeg_and_png_files_are_taken_for_what_they_are(
    name: str, declared: str, data: bytes, expected: str
) -> None:
    assert rules.checked_type(name, declared, data) == expected


@pytest.mark.parametrize("start", [b"MZ", b"\x7fELF", b"#!/bin/sh\n"])
def test_a_program_renamed_pdf_is_refused(start: bytes) -> None:
    error = refusal("consent.pdf", "application/pdf", start + b"\x00" * 200 + b"%%EOF")
    assert error.code == "content"
    assert error.messages == [
        "“consent.pdf” is a program or an archive, not a document, whatever its name says. Nothing was stored."
    ]


def test_a_png_named_pdf_is_refused_and_the_message_says_what_it_is() -> None:
    error = refusal("consent.pdf", "application/pdf", files.png())
    assert error.code == "mismatch"
    assert "named as a PDF file, but its content is a PNG file" in error.messages[0]


def test_a_jpeg_declared_as_png_is_refused() -> None:
    error = refusal("photo.jpg", "image/png", files.jpeg())
    assert error.code == "declared"
    assert "sent as “image/png”, but its content is a JPEG file" in error.messages[0]


def test_a_pdf_without_its_end_is_not_taken_for_a_pdf() -> None:
    assert refusal("cut.pdf", "application/pdf", files.pdf()[:-7]).code == "content"


def test_a_broken_image_is_refused() -> None:
    data = files.png()
    assert refusal("id.png", "image/png", data[:40]).code == "content"


def test_other_kinds_of_file_are_refused_by_their_name() -> None:
    error = refusal("notes.docx", "application/msword", b"PK\x03\x04")
    assert error.code == "extension"
    assert "Only PDF, JPEG and PNG files can be attached" in error.messages[0]


def test_a_file_over_the_limit_is_refused(settings: pytest.FixtureRequest) -> None:
    settings.NEXTSTEPS_ATTACHMENT_MAX_MB = 1  # type: ignore[attr-defined]
    data = files.pdf(b"x" * (1024 * 1024))
    error = refusal("big.pdf", "application/pdf", data)
    assert error.code == "too_large"
    assert error.messages == [
        "“big.pdf” is larger than 1 MB, the largest file that can be attached. Nothing was stored."
    ]


def test_an_empty_file_is_refused() -> None:
    assert refusal("empty.pdf", "application/pdf", b"").code == "empty"


def test_a_path_in_the_name_is_left_out_of_the_message() -> None:
    error = refusal("C:\\Users\\x\\evil.exe", "", b"MZ")
    assert error.messages[0].startswith("Only PDF, JPEG and PNG files can be attached, and “evil.exe”")


def test_the_messages_are_translated() -> None:
    with translation.override("ro"):
        error = refusal("consent.pdf", "application/pdf", files.png())
    assert "consent.pdf" in error.messages[0] and "PNG" in error.messages[0]
    assert "named as" not in error.messages[0]
