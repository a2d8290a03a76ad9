"""What may be attached: PDF, JPEG and PNG files up to the size limit, recognised by their content.

A name or a declared type is what the sender says; the content is what the file is. A file is taken only
when all three agree, so that a program renamed “scan.pdf” or a photo sent as a PDF is refused with a
message that says what was found, before anything is stored.
"""

from __future__ import annotations

import io
import warnings
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

from nextsteps.attachments.models import Attachment

Type = Attachment.ContentType
DEFAULT_MAX_MB = 10
# Where %%EOF may stand: PDF writers may add a line end or a few bytes after it.
PDF_TAIL = 1024
NAMED = {".pdf": Type.PDF, ".jpg": Type.JPEG, ".jpeg": Type.JPEG, ".png": Type.PNG}
# Types browsers send for these files; "application/octet-stream" or nothing says nothing, and is let be.
DECLARED = {
    "application/pdf": Type.PDF,
    "application/x-pdf": Type.PDF,
    "image/jpeg": Type.JPEG,
    "image/jpg": Type.JPEG,
    "image/pjpeg": Type.JPEG,
    "image/png": Type.PNG,
}
UNDECLARED = {"", "application/octet-stream"}
PROGRAMS = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"PK\x03\x04")


def max_size() -> int:
    return int(getattr(settings, "NEXTSTEPS_ATTACHMENT_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def too_large_message(name: str) -> str:
    return _(
        "“%(name)s” is larger than %(limit)s MB, the largest file that can be attached. Nothing was stored."
    ) % {"name": name, "limit": max_size() // (1024 * 1024)}


def found_type(data: bytes) -> str | None:
    """The type the content shows, or None when it is none of PDF, JPEG and PNG."""
    if data.startswith(b"%PDF-"):
        return Type.PDF if b"%%EOF" in data[-PDF_TAIL:] else None
    if not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image_format = image.format
                image.verify()
    except Exception:
        return None
    return {"PNG": Type.PNG, "JPEG": Type.JPEG}.get(image_format or "")


def base_name(name: str) -> str:
    """The name without the folders a browser may send with it (C:\\Users\\… on old Windows browsers)."""
    return PurePath(name.replace("\\", "/")).name


def checked_type(name: str, declared: str, data: bytes) -> str:
    """The content type of an upload, or ValidationError with a message that says what is wrong."""
    name = base_name(name)
    named = NAMED.get(PurePath(name).suffix.lower())
    labels = dict(Type.choices)
    if named is None:
        raise ValidationError(
            _("Only PDF, JPEG and PNG files can be attached, and “%(name)s” is named as none of them.")
            % {"name": name},
            code="extension",
        )
    if len(data) > max_size():
        raise ValidationError(too_large_message(name), code="too_large")
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    found = found_type(data)
    if found is None:
        if data.startswith(PROGRAMS):
            message = _(
                "“%(name)s” is a program or an archive, not a document, whatever its name says. "
                "Nothing was stored."
            )
        else:
            message = _(
                "“%(name)s” is not a readable %(type)s file: its content is not what its name says. "
                "Nothing was stored."
            )
        raise ValidationError(message % {"name": name, "type": labels[named]}, code="content")
    if found != named:
        raise ValidationError(
            _(
                "“%(name)s” is named as a %(named)s file, but its content is a %(found)s file. Rename it "
                "or choose the right file. Nothing was stored."
            )
            % {"name": name, "named": labels[named], "found": labels[found]},
            code="mismatch",
        )
    declared = declared.split(";")[0].strip().lower()
    if declared not in UNDECLARED and DECLARED.get(declared) != found:
        raise ValidationError(
            _(
                "“%(name)s” was sent as “%(declared)s”, but its content is a %(found)s file. "
                "Nothing was stored."
            )
            % {"name": name, "declared": declared, "found": labels[found]},
            code="declared",
        )
    return found
