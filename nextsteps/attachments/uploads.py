"""Receiving an attachment: in memory only, and no further than the size limit.

Django's usual handlers write a large upload to a temporary file, which would put a survivor's identity
document in clear on the disk, and read the whole of it before anyone checks its size. This handler is the
only one on the upload page: it keeps the file in memory and stops reading the request as soon as the file
passes the limit (the rest is read from the connection and thrown away, so the browser still gets the page
that says why).
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from nextsteps.attachments import rules

TOO_LARGE = "nextsteps_attachment_too_large"
# Room for the form's other fields (title, kind, token) in a request that carries one file.
FORM_ROOM = 64 * 1024


class LimitedMemoryUploadHandler(FileUploadHandler):
    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, *args: Any, **kwargs: Any
    ) -> None:
        self.content_length: int | None = content_length

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.file = io.BytesIO()
        if (self.content_length or 0) > rules.max_size() + FORM_ROOM:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.file.tell() + len(raw_data) > rules.max_size():
            self._refuse()
        self.file.write(raw_data)

    def _refuse(self) -> None:
        self.file = io.BytesIO()
        if self.request is not None:
            setattr(self.request, TOO_LARGE, self.file_name or "")
        raise StopUpload(connection_reset=False)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def too_large(request: Any) -> str | None:
    """The name of the file refused for its size, or None; read it after request.FILES."""
    return getattr(request, TOO_LARGE, None)
