"""An upload handler that stops receiving a file once it passes the import limit (limits.py).

Django streams an upload to memory or a temporary file whatever its size; this handler, first in
FILE_UPLOAD_HANDLERS, drops a file as soon as it is too large (the rest of it is read from the connection and
discarded), so that a huge upload fills neither memory nor the disk. The file's name is kept on the request
for the upload form to say which file was refused and why.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from nextsteps.imports import limits

REFUSED = "nextsteps_refused_uploads"


class SizeLimitedUploadHandler(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > limits.max_file_size():
            if self.request is not None:
                refused = getattr(self.request, REFUSED, [])
                refused.append(self.file_name or "")
                setattr(self.request, REFUSED, refused)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def refused(request: Any) -> list[str]:
    """Names of the files the handler dropped; read it after request.FILES."""
    return list(getattr(request, REFUSED, []))
