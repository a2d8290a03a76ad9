"""Paging for long lists (records, the audit trail) that must not count every row on every request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Lists count their records up to this many: an exact count of hundreds of thousands of rows costs more than
# the page itself (about 80 ms at a million persons, on every request), and nobody pages that far.
COUNT_LIMIT = 10_000


def capped(queryset: QuerySet[Any], cap: int) -> QuerySet[Any]:
    """The keys of at most `cap` of the records, in no order, to count: without the list's order, which
    would make the database find and sort every matching row first, it reads at most `cap` index entries.
    Only the key is selected: columns computed for the page (a caseload's subqueries) are not computed for
    every row counted; those that filter stay in the WHERE clause."""
    return queryset.order_by().values("pk")[:cap]


def counted_together(parts: Sequence[QuerySet[Any]], cap: int) -> int:
    """The records of each part, each counted up to `cap`, added up in one query."""
    database = parts[0].db
    counts, params = [], []
    for part in parts:
        try:
            sql, part_params = capped(part, cap).query.get_compiler(using=database).as_sql()
        except EmptyResultSet:  # a part that can hold nothing (no organisation to read, say)
            continue
        counts.append(f"(SELECT COUNT(*) FROM ({sql}) AS part)")
        params.extend(part_params)
    if not counts:
        return 0
    with connections[database].cursor() as cursor:
        cursor.execute("SELECT " + " + ".join(counts), params)
        return int(cursor.fetchone()[0])


class CappedPaginator(Paginator):
    """A paginator that counts at most `limit` records; beyond that only the first `limit` can be paged
    through and the list says so (`more`), asking for filters instead."""

    def __init__(
        self, object_list: QuerySet[Any], per_page: int, limit: int, *, parts: Sequence[QuerySet[Any]] = ()
    ) -> None:
        """`parts`, when given: the same records as `object_list` in querysets that exclude each other,
        counted each on its own and added up (access.scoped_in_parts says why)."""
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.limit = limit
        self.parts = list(parts)

    @cached_property
    def counted(self) -> int:
        if self.parts:
            return counted_together(self.parts, self.limit + 1)
        return capped(self.queryset, self.limit + 1).count()

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return min(self.counted, self.limit)

    @property
    def more(self) -> bool:
        return self.counted > self.limit
