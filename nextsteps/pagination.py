"""Paging for long lists (records, the audit trail) that must not count every row on every request."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

from nextsteps.audit.log import data_version

# Lists count their records up to this many: an exact count of hundreds of thousands of rows costs more than
# the page itself (about 80 ms at a million persons, on every request), and nobody pages that far.
COUNT_LIMIT = 10_000


def capped(queryset: QuerySet[Any], cap: int) -> QuerySet[Any]:
    """The keys of at most `cap` of the records, in no order, to count: without the list's order, which
    would make the database find and sort every matching row first, it reads at most `cap` index entries.
    Only the key is selected: columns computed for the page (a caseload's subqueries) are not computed for
    every row counted; those that filter stay in the WHERE clause."""
    return queryset.order_by().values("pk")[:cap]


# Counts of lists kept in each process's memory, under the data version they were counted at: a list's
# count reads up to COUNT_LIMIT index entries (on PostgreSQL about 1.5 ms of the server's CPU, a tenth of
# the visits list's), and the same few lists are opened all day. Kept is a count of records whose writes
# move the data version (every audited write does: nextsteps/audit/log.py); a count is used only at the
# version it was made at, so a record saved a second ago is counted on the next request, as without it.
KEPT_COUNTS = 1024
_kept: OrderedDict[bytes, tuple[int, int]] = OrderedDict()
_kept_lock = threading.Lock()


def _count(database: str, sql: str, params: Sequence[Any]) -> int:
    with connections[database].cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def in_transaction(database: str) -> bool:
    return connections[database].in_atomic_block


def kept_count(database: str, sql: str, params: Sequence[Any]) -> int:
    """`sql` (a count) answered from memory when this process counted it at the current data version.

    Only outside a transaction: inside one, the count could include writes that are later rolled back, and
    the version read there could then be given again to other data. The key is a digest of the statement
    and its parameters, so that what was typed in a list's search is not what memory keeps."""
    if in_transaction(database):
        return _count(database, sql, params)
    version = data_version()
    if not version:  # nothing written through the actions layer yet: no version tells states apart
        return _count(database, sql, params)
    key = hashlib.sha256(repr((database, sql, list(params))).encode()).digest()
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None and kept[0] == version:
            _kept.move_to_end(key)
            return kept[1]
    # Counted after the version was read: a write committed in between makes the count newer than its
    # version, which the next request's version then no longer matches. Never older.
    count = _count(database, sql, params)
    with _kept_lock:
        _kept[key] = (version, count)
        _kept.move_to_end(key)
        while len(_kept) > KEPT_COUNTS:
            _kept.popitem(last=False)
    return count


def counted_together(parts: Sequence[QuerySet[Any]], cap: int, *, kept: bool = False) -> int:
    """The records of each part, each counted up to `cap`, added up in one query; with `kept`, a count this
    process made at the current data version is used again (kept_count)."""
    database = parts[0].db
    counts, params = [], []
    for part in parts:
        try:
            sql, part_params = capped(part, cap).query.get_compiler(using=database).as_sql()
        except EmptyResultSet:  # a part that can hold nothing (no organisation to read, say)
            continue
        counts.append(f"SELECT COUNT(*) FROM ({sql}) AS part")
        params.extend(part_params)
    if not counts:
        return 0
    # One part is counted as Django counts a queryset; several are added up in one statement.
    sql = counts[0] if len(counts) == 1 else "SELECT " + " + ".join(f"({count})" for count in counts)
    return kept_count(database, sql, params) if kept else _count(database, sql, params)


class CappedPaginator(Paginator):
    """A paginator that counts at most `limit` records; beyond that only the first `limit` can be paged
    through and the list says so (`more`), asking for filters instead."""

    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        limit: int,
        *,
        parts: Sequence[QuerySet[Any]] = (),
        kept: bool = False,
    ) -> None:
        """`parts`, when given: the same records as `object_list` in querysets that exclude each other,
        counted each on its own and added up (access.scoped_in_parts says why). `kept`: the records are
        ones whose every write moves the data version (records, cases; not audit entries, which reading
        writes), so their count can be kept under it (kept_count)."""
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.limit = limit
        self.parts = list(parts)
        self.kept = kept

    @cached_property
    def counted(self) -> int:
        return counted_together(self.parts or [self.queryset], self.limit + 1, kept=self.kept)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return min(self.counted, self.limit)

    @property
    def more(self) -> bool:
        return self.counted > self.limit
