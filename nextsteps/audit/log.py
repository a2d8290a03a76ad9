"""Writing audit entries. Callers are the actions layer and the organisation-scoped read helpers."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.db import connections, router, transaction
from django.db.models import BigIntegerField, F, Model, QuerySet, Value
from django.db.models.functions import Greatest

from nextsteps.audit.models import AuditEntry, DataVersion, EntryReason

# Entries that record a change of stored data; viewing and exporting change nothing.
WRITES = {AuditEntry.Action.CREATE, AuditEntry.Action.CHANGE, AuditEntry.Action.DELETE}
VERSION_ROW = 1


def organisation_of(instance: Model) -> Any:
    """The organisation a record belongs to, found through the usual paths, or None."""
    for path in ("organisation", "case", "visit", "pillar"):
        target = getattr(instance, path, None)
        if target is None:
            continue
        if path == "organisation":
            return target
        return organisation_of(target)
    return None


def acting_organisation_of(user: Any, record_organisation: Any) -> Any:
    """The organisation a user acted for, where their memberships tell: the record's own when they work for
    it, else their only one. A user of several organisations acting on another's record is left open here;
    callers that know more (reading a shared case, accounts.access.audit_view) say which."""
    if not getattr(user, "is_authenticated", False):
        return None
    from nextsteps.accounts.access import memberships

    mine = {m.organisation_id: m.organisation for m in memberships(user)}
    if record_organisation is not None and record_organisation.pk in mine:
        return mine[record_organisation.pk]
    if len(mine) == 1:
        return next(iter(mine.values()))
    return None


def log(
    action: str,
    instance: Model,
    *,
    user: Any = None,
    organisation: Any = None,
    acting_organisation: Any = None,
    fields: Iterable[str] = (),
    reason: str | None = None,
) -> AuditEntry:
    """One entry; `reason` is what the user gave for a removal or a correction (kept encrypted, apart)."""
    if action in WRITES:
        # In the caller's transaction, like the entry: the new number is seen exactly when the write is.
        bump_data_version()
    if organisation is None:
        organisation = organisation_of(instance)
    if acting_organisation is None:
        acting_organisation = acting_organisation_of(user, organisation)
    entry = AuditEntry.objects.create(
        action=action,
        model=instance._meta.label,
        object_pk=str(instance.pk),
        user=user if getattr(user, "is_authenticated", False) else None,
        organisation=organisation,
        acting_organisation=acting_organisation,
        fields=sorted(fields),
    )
    if reason and reason.strip():
        EntryReason.objects.create(entry=entry, text=reason.strip())
    return entry


def bump_data_version() -> None:
    """Mark that stored data changed, so live caches of figures are recomputed. Writers that bypass the
    actions layer (set-up edited in the admin, bulk loads) call it in their own transaction.

    The number moves to the current time in microseconds, or on by one if that is not higher: so a number
    is never given to two states of the data, even after the database was restored from a backup (or, in
    the tests, emptied) while a server kept running. What a process keeps in memory under a number (the
    lists' counts, nextsteps/pagination.py) can then never be taken for another state's."""
    now = Value(time.time_ns() // 1000, output_field=BigIntegerField())
    if not DataVersion.objects.filter(pk=VERSION_ROW).update(number=Greatest(F("number") + 1, now)):
        DataVersion.objects.get_or_create(pk=VERSION_ROW, defaults={"number": now.value})


def data_version_sql(connection: Any) -> tuple[str, list[int]]:
    """The statement that reads the current number, and its parameters, written out in SQL (pages read it
    on every request, alone or inside another statement); the names come from the model."""
    quote, meta = connection.ops.quote_name, DataVersion._meta
    fields: Any = meta  # get_field answers any kind of field; these two are plain columns
    number, key = (quote(fields.get_field(name).column) for name in ("number", "id"))
    return f"SELECT {number} FROM {quote(meta.db_table)} WHERE {key} = %s", [VERSION_ROW]


def data_version() -> int:
    """The current number; read it before computing what is to be cached under it. 0 when nothing was
    ever written."""
    connection = connections[router.db_for_read(DataVersion)]
    with connection.cursor() as cursor:
        cursor.execute(*data_version_sql(connection))
        row = cursor.fetchone()
    return int(row[0]) if row else 0


# Entries per batch of log_each: each batch is one INSERT in one transaction.
AUDIT_BATCH = 5_000


def log_each(
    queryset: QuerySet[Any],
    action: str,
    *,
    user: Any = None,
    organisation: Any = None,
    fields: Iterable[str] = (),
    batch: int = AUDIT_BATCH,
) -> int | None:
    """One entry per record of `queryset` (an export of a hundred thousand visits: as many entries), written
    so that SQLite's write-ahead log stays bounded: the keys are read a batch at a time (no cursor stays
    open while writing, which would keep the log from being checkpointed) and each batch commits on its own
    unless the caller's transaction holds them all. Returns the largest key audited, or None."""
    # Imported here: the actions layer itself writes its entries through this module.
    from nextsteps.records.actions import insert_audit_entries

    model = queryset.model
    columns = tuple(fields)
    keys = queryset.order_by("pk").values_list("pk", flat=True)
    last = None
    while True:
        page = list((keys if last is None else keys.filter(pk__gt=last))[:batch])
        if not page:
            return last
        with transaction.atomic(using=router.db_for_write(AuditEntry)):
            insert_audit_entries(model, [(action, pk, columns) for pk in page], user, organisation)
        last = page[-1]
