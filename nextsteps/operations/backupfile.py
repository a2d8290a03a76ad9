"""The encrypted backup file: a database copy that is useless without the keys, written and read in chunks.

Layout (all integers big-endian):

    header   "NEXTSTEPS BACKUP" (16 bytes), format (1 byte), salt (16 bytes), key id (8 bytes)
    chunks   length (4 bytes: ciphertext length, top bit set on the last chunk), ciphertext

The first chunk holds the metadata (JSON: the kind of database, its applied migrations, when); the others
hold the database dump, at most CHUNK bytes each. Each chunk is AES-256-GCM with the header as associated
data and a nonce made of its number and a "last chunk" flag (the STREAM construction of Hoang, Reyhanitabar,
Rogaway and Vizár): a changed, reordered, dropped or appended chunk fails authentication, and a file cut off
at a chunk boundary lacks its last chunk. Streaming keeps memory flat whatever the size of the database.

The key of each file is derived (HKDF-SHA256, with the file's random salt) from the encryption key that was
current when the backup was made, rather than from a key of its own: the identifying fields inside the
backup can only be read with the encryption keys anyway, so a separate backup key would be one more secret
to lose without protecting anything more. The key id in the header (derived from the same key, revealing
nothing about it) tells "made with other keys" apart from "damaged" on restore, and lets a restore use any
configured key, so that backups made before a key rotation open as long as the old key is kept.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import struct
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"NEXTSTEPS BACKUP"
FORMAT = 1
CHUNK = 1 << 20
TAG = 16
HEADER = struct.Struct(">16sB16s8s")
LENGTH = struct.Struct(">I")
LAST = 1 << 31


class BackupFileError(Exception):
    """The file cannot be read as a backup. `reason` is one of: not_backup, newer_format, wrong_keys,
    truncated, damaged; the command turns it into a sentence in the user's language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _derive(key: bytes, *, length: int, salt: bytes | None, info: bytes) -> bytes:
    # A Fernet key is the URL-safe base64 of 32 random bytes.
    secret = base64.urlsafe_b64decode(key)
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(secret)


def key_id(key: bytes) -> bytes:
    return _derive(key, length=8, salt=None, info=b"nextsteps backup key id v1")


def _file_key(key: bytes, salt: bytes) -> bytes:
    return _derive(key, length=32, salt=salt, info=b"nextsteps backup file v1")


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class Writer:
    """Encrypts what is written to it into `handle`; `close()` writes the last chunk (without it, a reader
    reports the file as truncated)."""

    def __init__(self, handle: BinaryIO, key: bytes, metadata: dict[str, Any]) -> None:
        salt = os.urandom(16)
        self.handle = handle
        self.header = HEADER.pack(MAGIC, FORMAT, salt, key_id(key))
        self.aead = AESGCM(_file_key(key, salt))
        self.index = 0
        self.buffer = bytearray()
        handle.write(self.header)
        self._emit(json.dumps(metadata, sort_keys=True).encode(), last=False)

    def _emit(self, data: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.index, last), data, self.header)
        self.handle.write(LENGTH.pack(len(sealed) | (LAST if last else 0)))
        self.handle.write(sealed)
        self.index += 1

    def write(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= CHUNK:
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]

    def close(self) -> None:
        self._emit(bytes(self.buffer), last=True)
        self.buffer.clear()


class Reader:
    """Opens a backup with whichever of `keys` made it; `metadata` is read (and authenticated) at once,
    `chunks()` yields the dump and raises BackupFileError as soon as something is wrong."""

    def __init__(self, handle: BinaryIO, keys: Sequence[bytes]) -> None:
        self.handle = handle
        header = handle.read(HEADER.size)
        if header[: len(MAGIC)] != MAGIC:
            raise BackupFileError("not_backup")
        if len(header) < HEADER.size:
            raise BackupFileError("truncated")
        _magic, version, salt, file_key_id = HEADER.unpack(header)
        if version != FORMAT:
            raise BackupFileError("newer_format" if version > FORMAT else "damaged")
        key = next((k for k in keys if hmac.compare_digest(key_id(k), file_key_id)), None)
        if key is None:
            raise BackupFileError("wrong_keys")
        self.header = header
        self.aead = AESGCM(_file_key(key, salt))
        self.index = 0
        data, last = self._next()
        if last:
            raise BackupFileError("damaged")
        try:
            self.metadata: dict[str, Any] = json.loads(data)
        except ValueError:
            raise BackupFileError("damaged") from None

    def _read(self, size: int) -> bytes:
        data = self.handle.read(size)
        if len(data) < size:
            raise BackupFileError("truncated")
        return data

    def _next(self) -> tuple[bytes, bool]:
        (length,) = LENGTH.unpack(self._read(LENGTH.size))
        last, size = bool(length & LAST), length & ~LAST
        if not TAG <= size <= CHUNK + TAG:
            raise BackupFileError("damaged")
        sealed = self._read(size)
        try:
            data = self.aead.decrypt(_nonce(self.index, last), sealed, self.header)
        except InvalidTag:
            raise BackupFileError("damaged") from None
        self.index += 1
        return data, last

    def chunks(self) -> Iterator[bytes]:
        while True:
            data, last = self._next()
            if data:
                yield data
            if last:
                if self.handle.read(1):
                    raise BackupFileError("damaged")
                return
