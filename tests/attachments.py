"""Small files for the attachment tests, made in code: a PDF, a PNG and a JPEG that are what they say."""

from __future__ import annotations

import io

from PIL import Image

# Distinctive enough that finding it anywhere means the file's clear bytes are there.
MARKER = b"ZQX-clear-bytes-of-a-consent-form-7731"


def pdf(text: bytes = MARKER) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% " + text + b"\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def image(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def png() -> bytes:
    return image("PNG")


def jpeg() -> bytes:
    return image("JPEG")


def executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode." + MARKER
