"""Paging for long lists (records, the audit trail) that must not count every row on every request."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Lists count their records up to this many: an exact count of hundreds of thousands of rows costs more than
# the page itself (about 80 ms at a million persons, on every request), and nobody pages that far.
COUNT_LIMIT = 10_000


class CappedPaginator(Paginator):
    """A paginator that counts at most `limit` records; beyond that only the first `limit` can be paged
    through and the list says so (`more`), asking for filters instead."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, limit: int) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.limit = limit

    @cached_property
    def counted(self) -> int:
        # COUNT(*) over a subquery with LIMIT and without the list's order, which would make the database
        # find and sort every matching row first: reads at most limit + 1 index entries.
        # Only the key is selected: columns computed for the page (a caseload's subqueries) are not computed
        # for every row counted; those that filter stay in the WHERE clause.
        return self.queryset.order_by().values("pk")[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return min(self.counted, self.limit)

    @property
    def more(self) -> bool:
        return self.counted > self.limit
