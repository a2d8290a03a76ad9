"""A model field for a file's bytes, stored as one Fernet token made with the project's current key.

It joins the encrypted fields (EncryptedMixin), so that `nextsteps rotate-keys`, the key checks and erasure's
clearing of the database files reach it like every encrypted name and note. The column holds the token as
text (ASCII), which is what rotation reads and compares; Python code sees bytes.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.db import models
from django.db.models.expressions import Combinable

from nextsteps.privacy import crypto
from nextsteps.privacy.fields import EncryptedMixin


def encrypt_bytes(data: bytes) -> str:
    return crypto.keyring().current.encrypt(data).decode("ascii")


def decrypt_bytes(token: str, *, where: str = "") -> bytes:
    try:
        return crypto.keyring().all.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError) as error:
        raise crypto.UndecryptableValue(crypto.undecryptable_message(where)) from error


class EncryptedBytesField(EncryptedMixin, models.TextField):  # type: ignore[misc]
    # A token is up to 14 MB: rotation reads rows of this column one at a time, not a batch of hundreds.
    rotation_batch_size = 1
    _pyi_private_set_type: bytes | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: bytes  # type: ignore[assignment]

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return b"" if value == "" else value
        return decrypt_bytes(value, where=f"{self.model._meta.db_table}.{self.column}")

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        return value

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if hasattr(value, "as_sql") or hasattr(value, "resolve_expression"):
            return value
        if value is None or value == b"" or value == "":
            return "" if value is not None else None
        return encrypt_bytes(bytes(value))

    def formfield(self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any) -> None:
        # Files arrive through the upload form's checks (rules.py), never through a model form.
        return None
