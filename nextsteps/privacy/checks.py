"""Refuse to start without usable keys.

Registered without tags, so that every management command that runs system checks (runserver, migrate,
the demo, report…) and `nextsteps check` stop with a clear message before touching data. The commands that
create or rotate keys (init-keys, generate-key, rotate-keys) skip system checks and validate what they need
themselves. A WSGI server does not run system checks, so wsgi.py calls refuse_to_start_without_keys().

Besides "is there a valid key", the check reads the newest stored token of each encrypted column and the
newest person's name hashes: that catches the wrong key file (data encrypted with another key) and a changed
search key (which would make every name search come back empty) at start-up instead of on some later page.
It reads at most one row per column and skips quietly when the database or a table is not there yet.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nextsteps.privacy import crypto
from nextsteps.privacy.fields import encrypted_fields
from nextsteps.privacy.search import HASH_FIELDS, name_hashes

IDS = {
    "no_key": "privacy.E001",
    "invalid_key": "privacy.E002",
    "unreadable": "privacy.E002",
    "no_search_key": "privacy.E003",
    "conflict": "privacy.E004",
}
UNDECRYPTABLE = "privacy.E005"
SEARCH_KEY_CHANGED = "privacy.E006"
KEY_FILE_OPEN = "privacy.W001"
DATA_OPEN = "privacy.W003"


@register()
def check_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    crypto.reset()
    try:
        ring = crypto.keyring()
    except crypto.KeyConfigError as error:
        return [Error(error.message, id=IDS[error.code])]
    messages: list[CheckMessage] = []
    if ring.file is not None and ring.file.stat().st_mode & 0o077:
        messages.append(
            Warning(
                _("The key file %(path)s can be read by other users of this machine.") % {"path": ring.file},
                hint=_("Run: chmod 600 %(path)s") % {"path": ring.file},
                id=KEY_FILE_OPEN,
            )
        )
    # No database yet (before the first migrate) or no access to it (tests without a database): then
    # nothing stored can disagree with the keys.
    with contextlib.suppress(DatabaseError, RuntimeError):
        messages += _stored_data_errors()
    return messages


@register()
def check_data_permissions(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when other users of the machine can read the data folder, the SQLite database or anything in
    the folder (uploads, exports written there). New files are private (permissions.py); these were made
    before, or by hand. Only a warning: changing an administrator's files unasked is not the app's to do."""
    opened = open_paths()
    if not opened:
        return []
    return [
        Warning(
            ngettext(
                "%(count)d file or folder of Next Steps can be read by other users of this machine: %(path)s.",
                "%(count)d files or folders of Next Steps can be read by other users of this machine, "
                "e.g. %(path)s.",
                len(opened),
            )
            % {"count": len(opened), "path": opened[0]},
            hint=_("Run: chmod -R go-rwx %(paths)s") % {"paths": " ".join(str(p) for p in roots())},
            id=DATA_OPEN,
        )
    ]


def roots() -> list[Path]:
    """The data folder and the SQLite database (which may lie elsewhere), where they exist."""
    found = [Path(settings.DATA_DIR)]
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        # The name in use: a test database in memory has a name that is no file.
        name = Path(str(connection.settings_dict["NAME"]))
        found += [name, *(name.with_name(name.name + suffix) for suffix in ("-wal", "-shm"))]
    return [p for p in found if p.exists()]


def open_paths() -> list[Path]:
    """Every file and folder under roots() that the group or others may use; static files (public, and
    many) aside."""
    static = Path(settings.STATIC_ROOT).resolve()
    opened = {root for root in roots() if _open(root)}
    for root in roots():
        for folder, folders, files in os.walk(root):  # nothing for a file
            here = Path(folder)
            folders[:] = [f for f in folders if (here / f).resolve() != static]
            opened.update(p for p in (*(here / f for f in folders), *(here / f for f in files)) if _open(p))
    return sorted(opened)


def _open(path: Path) -> bool:
    """A symbolic link's own permissions mean nothing: what it points to is checked where it lies."""
    try:
        return not path.is_symlink() and bool(path.stat().st_mode & 0o077)
    except OSError:
        return False


def _stored_data_errors() -> list[CheckMessage]:
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        columns: dict[str, set[str]] = {}
        for model, fields in encrypted_fields():
            table = model._meta.db_table
            if table not in tables:
                continue
            columns[table] = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            for field in fields:
                if field.column not in columns[table]:
                    continue
                cursor.execute(
                    f"SELECT {quote(field.column)} FROM {quote(table)} WHERE {quote(field.column)} LIKE %s "
                    f"ORDER BY {quote(model._meta.pk.column)} DESC LIMIT 1",
                    [crypto.TOKEN_PREFIX + "%"],
                )
                row = cursor.fetchone()
                if row and not crypto.opens(row[0]):
                    return [
                        Error(
                            crypto.undecryptable_message(f"{table}.{field.column}"),
                            id=UNDECRYPTABLE,
                        )
                    ]
        return _search_key_errors(cursor, columns)


def _search_key_errors(cursor: Any, columns: dict[str, set[str]]) -> list[CheckMessage]:
    from django.apps import apps

    person = apps.get_model("records", "Person")
    table = person._meta.db_table
    wanted = ["given_name", "family_name", *HASH_FIELDS]
    if not set(wanted) <= columns.get(table, set()):
        return []
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    cursor.execute(
        f"SELECT {', '.join(quote(c) for c in wanted)} FROM {quote(table)} "
        f"WHERE {quote('given_name_hash')} <> '' OR {quote('family_name_hash')} <> '' "
        f"ORDER BY {quote(person._meta.pk.column)} DESC LIMIT 1"
    )
    row = cursor.fetchone()
    if not row:
        return []
    given, family = (crypto.decrypt(v) if v and crypto.looks_encrypted(v) else v for v in row[:2])
    if name_hashes(given or "", family or "") == dict(zip(HASH_FIELDS, row[2:], strict=True)):
        return []
    return [
        Error(
            _(
                "The search key is not the one that indexed the stored names, so searching persons by name "
                "would find nobody."
            ),
            hint=_(
                "Restore the previous search key, or run “nextsteps rotate-keys” to index the names again "
                "with this one."
            ),
            id=SEARCH_KEY_CHANGED,
        )
    ]


def encrypted_data_location() -> str | None:
    """Where the database holds encrypted values or name hashes ("table.column"), or None when it holds none
    (or is not there yet). Making a new key is safe only then: a new key opens nothing stored before it."""
    with contextlib.suppress(DatabaseError, RuntimeError):
        connection = connections[DEFAULT_DB_ALIAS]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            tables = set(connection.introspection.table_names(cursor))
            for model, fields in encrypted_fields():
                table = model._meta.db_table
                if table not in tables:
                    continue
                present = {c.name for c in connection.introspection.get_table_description(cursor, table)}
                conditions = [
                    (field.column, f"{quote(field.column)} LIKE %s", crypto.TOKEN_PREFIX + "%")
                    for field in fields
                    if field.column in present
                ]
                if model._meta.label == "records.Person":
                    conditions += [(c, f"{quote(c)} <> %s", "") for c in HASH_FIELDS if c in present]
                for column, condition, parameter in conditions:
                    cursor.execute(f"SELECT 1 FROM {quote(table)} WHERE {condition} LIMIT 1", [parameter])
                    if cursor.fetchone():
                        return f"{table}.{column}"
    return None


def refuse_to_start_without_keys() -> None:
    """For servers that do not run system checks: raise the check's errors as ImproperlyConfigured."""
    errors = [m for m in check_keys() if m.is_serious()]
    if errors:
        raise ImproperlyConfigured("\n".join(f"{e.id}: {e.msg}" for e in errors))
