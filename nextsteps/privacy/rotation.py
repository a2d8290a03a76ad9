"""Going over every encrypted value in the database: re-encrypting with the current key, and the migrations
that turn plain columns into encrypted ones and back.

All of it works on raw SQL, one batch of rows at a time, each batch in its own transaction. Every write is a
compare-and-set (`UPDATE … WHERE pk = %s AND column = <the value read>`), so a value that someone changed
through the app in the meantime is left alone rather than overwritten with an older one. Every value is
readable at every moment (old token, new token or, in a migration, plain text that the field's own code
never sees), so an interrupted run leaves nothing broken and running it again finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from nextsteps.privacy import crypto
from nextsteps.privacy.search import HASH_FIELDS, name_hashes

BATCH_SIZE = 500

# A transform returns the new stored value, or None to leave the value as it is.
Transform = Callable[[str], str | None]


@dataclass
class Column:
    table: str
    pk: str
    column: str
    current: int = 0
    old: int = 0
    plain: int = 0
    empty: int = 0
    undecryptable: int = 0
    changed: int = 0
    # Rows read at a time, for columns of large values (attachments' files: up to 14 MB each).
    batch_limit: int | None = None

    @property
    def label(self) -> str:
        return f"{self.table}.{self.column}"


def encrypted_columns() -> list[Column]:
    from nextsteps.privacy.fields import encrypted_fields

    return [
        Column(
            model._meta.db_table,
            model._meta.pk.column,
            field.column,
            batch_limit=getattr(field, "rotation_batch_size", None),
        )
        for model, fields in encrypted_fields()
        for field in fields
    ]


def batches(
    connection: Any, table: str, pk: str, columns: list[str], batch_size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """Rows (pk, *columns) in primary-key order, `batch_size` at a time, without holding a cursor open."""
    quote = connection.ops.quote_name
    select = ", ".join(quote(c) for c in [pk, *columns])
    last: Any = None
    while True:
        where = f"WHERE {quote(pk)} > %s " if last is not None else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {select} FROM {quote(table)} {where}ORDER BY {quote(pk)} LIMIT {int(batch_size)}",
                [last] if last is not None else [],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def convert(
    connection: Any,
    table: str,
    pk: str,
    columns: list[str],
    transform: Transform,
    batch_size: int = BATCH_SIZE,
) -> dict[str, int]:
    """Apply `transform` to every non-empty value of the columns; returns how many changed per column."""
    quote = connection.ops.quote_name
    changed = dict.fromkeys(columns, 0)
    for rows in batches(connection, table, pk, columns, batch_size):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for row in rows:
                for column, value in zip(columns, row[1:], strict=True):
                    if not value:
                        continue
                    new = transform(value)
                    if new is None or new == value:
                        continue
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {quote(column)} = %s "
                        f"WHERE {quote(pk)} = %s AND {quote(column)} = %s",
                        [new, row[0], value],
                    )
                    changed[column] += cursor.rowcount
    return changed


# The three transforms ------------------------------------------------------------------------------------


def to_current_key(value: str) -> str | None:
    if not crypto.looks_encrypted(value):
        # Left plain by an interrupted migration or written around the field: encrypt it now.
        return crypto.encrypt(value)
    if crypto.is_current(value):
        return None
    return crypto.reencrypt(value)


def encrypt_plain(value: str) -> str | None:
    if not crypto.looks_encrypted(value):
        return crypto.encrypt(value)
    if crypto.opens(value):
        return None
    # A token of some other key: encrypting it again would bury it under a second layer for good.
    raise crypto.UndecryptableValue(crypto.undecryptable_message(""))


def decrypt_to_plain(value: str) -> str | None:
    return crypto.decrypt(value) if crypto.looks_encrypted(value) else None


# Survey and rotation ----------------------------------------------------------------------------------------


def survey(batch_size: int = BATCH_SIZE, using: str = DEFAULT_DB_ALIAS) -> list[Column]:
    """Count, per encrypted column, the values under the current key, under older keys, still plain, empty,
    and those no configured key opens. Reads only."""
    connection = connections[using]
    result = encrypted_columns()
    by_table: dict[tuple[str, str], list[Column]] = {}
    for column in result:
        by_table.setdefault((column.table, column.pk), []).append(column)
    for (table, pk), columns in by_table.items():
        size = _batch_size(columns, batch_size)
        for rows in batches(connection, table, pk, [c.column for c in columns], size):
            for row in rows:
                for column, value in zip(columns, row[1:], strict=True):
                    if not value:
                        column.empty += 1
                    elif not crypto.looks_encrypted(value):
                        column.plain += 1
                    elif crypto.is_current(value):
                        column.current += 1
                    elif crypto.opens(value):
                        column.old += 1
                    else:
                        column.undecryptable += 1
    return result


def _batch_size(columns: list[Column], batch_size: int) -> int:
    return min([batch_size, *(c.batch_limit for c in columns if c.batch_limit)])


def rotate(columns: list[Column], batch_size: int = BATCH_SIZE, using: str = DEFAULT_DB_ALIAS) -> None:
    """Re-encrypt every value of the surveyed columns with the current key (filling in `changed`)."""
    connection = connections[using]
    by_table: dict[tuple[str, str], list[Column]] = {}
    for column in columns:
        by_table.setdefault((column.table, column.pk), []).append(column)
    for (table, pk), group in by_table.items():
        size = _batch_size(group, batch_size)
        changed = convert(connection, table, pk, [c.column for c in group], to_current_key, size)
        for column in group:
            column.changed = changed[column.column]


def reindex_names(connection: Any, table: str, pk: str = "id", batch_size: int = BATCH_SIZE) -> int:
    """Recompute the name-search hashes of every person; returns how many persons' hashes changed.

    Needed after the search key changed, and after names were written without Person.save().
    """
    quote = connection.ops.quote_name
    names = ["given_name", "family_name"]
    updated = 0
    for rows in batches(connection, table, pk, [*names, *HASH_FIELDS], batch_size):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for key, given, family, *stored in rows:
                plain = [
                    crypto.decrypt(v, where=f"{table}.{n}") if v and crypto.looks_encrypted(v) else (v or "")
                    for n, v in zip(names, (given, family), strict=True)
                ]
                wanted = name_hashes(*plain)
                if [wanted[h] for h in HASH_FIELDS] == stored:
                    continue
                assignments = ", ".join(f"{quote(h)} = %s" for h in HASH_FIELDS)
                cursor.execute(
                    f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s "
                    f"AND {quote('given_name')} = %s AND {quote('family_name')} = %s",
                    [*(wanted[h] for h in HASH_FIELDS), key, given or "", family or ""],
                )
                updated += cursor.rowcount
    return updated
