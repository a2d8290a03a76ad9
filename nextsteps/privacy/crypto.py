"""The keys that encrypt identifying fields, where they come from, and turning text into tokens and back.

Keys never live in the database, so that a stolen database or database backup reveals no names. They come
from the environment (NEXTSTEPS_KEYS, comma-separated) or from a key file (NEXTSTEPS_KEY_FILE, or the data
folder's `keys` file that `nextsteps init-keys` and the demo create). The first key encrypts; the others
only decrypt, so that values written before a new key was added stay readable until `nextsteps rotate-keys`
has re-encrypted them with it.

The search key is a separate secret that does not change when the encryption keys rotate: name search
compares keyed hashes (see search.py), and a different search key would make every stored hash unfindable.

Everything is read lazily, on first use, from Django settings (which read the environment at import), so
that tests can swap keys with override_settings and a process started without keys fails with a clear
message instead of writing anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext as _

KEY_FILE_NAME = "keys"
SEARCH_PREFIX = "search:"
# Every Fernet token starts with version byte 0x80 and a timestamp whose high bytes are zero for centuries.
TOKEN_PREFIX = "gAAAAA"
DOCS = "docs/security.md"


class KeyConfigError(ImproperlyConfigured):
    """The keys are missing or unusable. `code` names the problem for the system check's id."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class UndecryptableValue(ImproperlyConfigured):
    """A stored token that none of the configured keys opens: the wrong key file, or an old key dropped
    before `nextsteps rotate-keys` ran."""


@dataclass(frozen=True)
class Keyring:
    keys: tuple[bytes, ...]
    search_key: bytes
    # Where the keys came from, for messages: "NEXTSTEPS_KEYS" or the key file's path.
    source: str
    file: Path | None = None
    current: Fernet = field(init=False, repr=False, compare=False)
    all: MultiFernet = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fernets = [Fernet(k) for k in self.keys]
        object.__setattr__(self, "current", fernets[0])
        object.__setattr__(self, "all", MultiFernet(fernets))


# Reading the configuration -------------------------------------------------------------------------------


def configured_key_file() -> Path:
    """The key file in use when NEXTSTEPS_KEYS is not set: NEXTSTEPS_KEY_FILE, else the data folder's."""
    named = getattr(settings, "NEXTSTEPS_KEY_FILE", "")
    if named:
        return Path(named).expanduser()
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def _env_keys() -> list[str]:
    value = getattr(settings, "NEXTSTEPS_KEYS", "")
    items = value.split(",") if isinstance(value, str) else list(value)
    return [k.strip() for k in items if k.strip()]


def keys_are_configured() -> bool:
    """Whether some key source exists (not whether it is valid): decides if init-keys has work to do."""
    return bool(_env_keys()) or configured_key_file().exists()


def read_keyring() -> Keyring:
    """Read and validate the keys now; raises KeyConfigError with a message for administrators."""
    env_keys = _env_keys()
    named_file = getattr(settings, "NEXTSTEPS_KEY_FILE", "")
    search_setting = getattr(settings, "NEXTSTEPS_SEARCH_KEY", "").strip()
    path: Path | None = None
    if env_keys and named_file:
        raise KeyConfigError(
            _(
                "Both NEXTSTEPS_KEYS and NEXTSTEPS_KEY_FILE are set; set only one of them, so that it is "
                "clear which keys encrypt the data."
            ),
            "conflict",
        )
    if env_keys:
        keys, search, source = env_keys, search_setting, "NEXTSTEPS_KEYS"
    else:
        path = configured_key_file()
        if not path.exists():
            if named_file:
                raise KeyConfigError(
                    _("The key file %(path)s named by NEXTSTEPS_KEY_FILE does not exist.") % {"path": path},
                    "no_key",
                )
            raise KeyConfigError(
                _(
                    "No encryption key is configured, so Next Steps cannot read or store identifying data. "
                    "Set NEXTSTEPS_KEYS or NEXTSTEPS_KEY_FILE, or run “nextsteps init-keys” to create a key "
                    "file (see %(docs)s)."
                )
                % {"docs": DOCS},
                "no_key",
            )
        keys, file_search = _read_key_file(path)
        search, source = search_setting or file_search, str(path)
    if not keys:
        raise KeyConfigError(
            _("%(source)s holds no encryption key.") % {"source": source},
            "no_key",
        )
    for number, key in enumerate(keys, start=1):
        if not _is_key(key):
            raise KeyConfigError(
                _(
                    "Key %(number)s in %(source)s is not a valid key: keys are 44 characters as printed by "
                    "“nextsteps generate-key”."
                )
                % {"number": number, "source": source},
                "invalid_key",
            )
    if not search:
        raise KeyConfigError(
            _(
                "No search key is configured: set NEXTSTEPS_SEARCH_KEY, or add a line “search: KEY” to the "
                "key file (see %(docs)s)."
            )
            % {"docs": DOCS},
            "no_search_key",
        )
    if not _is_key(search):
        raise KeyConfigError(
            _(
                "The search key is not a valid key: keys are 44 characters as printed by "
                "“nextsteps generate-key”."
            ),
            "invalid_key",
        )
    return Keyring(
        keys=tuple(k.encode() for k in keys),
        search_key=base64.urlsafe_b64decode(search),
        source=source,
        file=path,
    )


def _read_key_file(path: Path) -> tuple[list[str], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise KeyConfigError(
            _("The key file %(path)s cannot be read: %(error)s") % {"path": path, "error": error},
            "unreadable",
        ) from error
    keys: list[str] = []
    search = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(SEARCH_PREFIX):
            search = line.removeprefix(SEARCH_PREFIX).strip()
        else:
            keys.append(line)
    return keys, search


def _is_key(value: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(value.encode("ascii"))) == 32
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False


_cache: dict[str, Keyring] = {}


def keyring() -> Keyring:
    """The configured keys, read once per process; raises KeyConfigError when there are none."""
    if "ring" not in _cache:
        _cache["ring"] = read_keyring()
    return _cache["ring"]


def reset() -> None:
    _cache.clear()


@receiver(setting_changed)
def _forget_keys_on_settings_change(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("NEXTSTEPS_") or setting == "DATA_DIR":
        reset()


# Using the keys ---------------------------------------------------------------------------------------------


def encrypt(text: str) -> str:
    return keyring().current.encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str, *, where: str = "") -> str:
    try:
        return keyring().all.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise UndecryptableValue(undecryptable_message(where)) from error


def undecryptable_message(where: str) -> str:
    return _(
        "A stored value (%(where)s) cannot be decrypted with the configured keys: the key that encrypted it "
        "is missing. Check NEXTSTEPS_KEYS or the key file, and keep old keys until “nextsteps rotate-keys” "
        "has run (see %(docs)s)."
    ) % {"where": where or _("unknown column"), "docs": DOCS}


def opens(token: str) -> bool:
    """Whether the configured keys decrypt this token."""
    try:
        keyring().all.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def is_current(token: str) -> bool:
    """Whether this token is encrypted with the current (first) key already."""
    try:
        keyring().current.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def reencrypt(token: str) -> str:
    """The same plain text, encrypted with the current key; raises UndecryptableValue like decrypt."""
    try:
        return keyring().all.rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError) as error:
        raise UndecryptableValue(undecryptable_message("")) from error


def looks_encrypted(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def keyed_hash(purpose: str, text: str) -> str:
    """HMAC-SHA256 of text under the search key; `purpose` keeps equal names in different roles apart."""
    message = f"{purpose}\x00{text}".encode()
    return hmac.new(keyring().search_key, message, hashlib.sha256).hexdigest()


# Creating keys ----------------------------------------------------------------------------------------------


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


KEY_FILE_HEADER = """\
# Next Steps encryption keys. Without them the identifying data in the database cannot be read.
# Keep this file out of database backups and back it up separately (see docs/security.md).
# The first key encrypts; keys below it only decrypt values written before the last rotation.
# The "search:" line keys the name-search hashes; it does not rotate with the other keys.
"""


def write_key_file(path: Path, keys: Iterable[str], search_key: str) -> None:
    """Write the key file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    search_line = f"{SEARCH_PREFIX} {search_key}\n" if search_key else ""
    body = KEY_FILE_HEADER + search_line + "".join(f"{k}\n" for k in keys)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keys-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    reset()


def create_key_file_if_missing() -> Path | None:
    """Create a key file with a fresh key and search key when no keys are configured at all.

    Returns the new file's path, or None when keys were configured already (nothing is ever overwritten:
    replacing a key file would make the existing data unreadable).
    """
    if keys_are_configured():
        return None
    from nextsteps.privacy.checks import encrypted_data_location

    # A missing key file over a database that holds encrypted data is a lost or misplaced key, not a fresh
    # start: a new key would read none of it, and would be taken for the right one from then on.
    where = encrypted_data_location()
    if where is not None:
        raise KeyConfigError(
            _(
                "No encryption key is configured, but the database holds encrypted data already (%(where)s). "
                "Restore the key file from your backup or set NEXTSTEPS_KEYS; no new key was made."
            )
            % {"where": where},
            "no_key",
        )
    path = configured_key_file()
    write_key_file(path, [new_key()], new_key())
    return path


def new_key_file_message(path: Path) -> str:
    message = _(
        "Created the key file %(path)s. Back it up separately from the database: without it the "
        "identifying data cannot be read."
    ) % {"path": path}
    if is_inside(path, Path(settings.DATA_DIR)):
        message += " " + _(
            "It lies in the data folder, next to the database, which suits a demo; on a server set "
            "NEXTSTEPS_KEY_FILE to a path outside it."
        )
    return message


def prepend_key(key: str) -> Path:
    """Make `key` the current key of the key file in use, keeping the others for decryption."""
    ring = keyring()
    if ring.file is None:
        raise KeyConfigError(
            _("The keys come from NEXTSTEPS_KEYS: put the new key first in that variable yourself."),
            "conflict",
        )
    # The file's own search line is kept as it is (a search key from the environment stays out of it).
    existing, search = _read_key_file(ring.file)
    write_key_file(ring.file, [key, *(k for k in existing if k != key)], search)
    return ring.file


def is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
