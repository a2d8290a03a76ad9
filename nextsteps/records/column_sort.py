"""Sorting the lists that are not record lists (the referrals inbox, the likely duplicate persons) as the record
lists sort (listing.py): a link in each sortable column's header, `?sort=column` or `?sort=-column`, aria-sort
on the sorted column, empty values last either way, and the list's own order when nothing (or nonsense) is
asked. Each list declares its columns: database expressions for a queryset, a key for rows in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.text import capfirst

from nextsteps.records.listing import SORT, Header, Sort, order_by, sort_header

__all__ = [
    "SORT",
    "Column",
    "Header",
    "Sort",
    "by",
    "choice_order",
    "headers",
    "ordered",
    "ordered_rows",
    "requested",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    # Ascending order: database expressions (a list read from a queryset), built when the list is read so
    # that labels sort in the reader's language; None: the column does not sort.
    order: Callable[[], list[Any]] | None = None
    # Ascending order of rows held in memory: the value to compare (None sorts last).
    value: Callable[[Any], Any] | None = None

    @property
    def sortable(self) -> bool:
        return self.order is not None or self.value is not None


def choice_order(field: str, choices: Iterable[tuple[Any, Any]]) -> Callable[[], list[Any]]:
    """A column of fixed choices sorts by the label the reader sees, in their language."""

    def order() -> list[Any]:
        labels = sorted(choices, key=lambda choice: str(choice[1]).casefold())
        return [
            Case(
                *(When(**{field: value}, then=Value(rank)) for rank, (value, _label) in enumerate(labels)),
                default=Value(len(labels)),
                output_field=IntegerField(),
            )
        ]

    return order


def by(*paths: str) -> Callable[[], list[Any]]:
    return lambda: [F(path) for path in paths]


def requested(columns: Sequence[Column], value: str | None) -> Sort:
    text = (value or "").strip()
    key = text.removeprefix("-")
    if any(column.key == key and column.sortable for column in columns):
        return Sort(key, text.startswith("-"))
    return Sort(None, descending=False)


def headers(columns: Sequence[Column], sort: Sort, query: QueryDict) -> list[Header]:
    result = []
    for column in columns:
        label = capfirst(str(column.label))
        if not column.sortable:
            result.append(Header(label, None, None))
            continue
        result.append(sort_header(label, column.key, sort, query))
    return result


def ordered(qs: QuerySet[Any], columns: Sequence[Column], sort: Sort, *default: Any) -> QuerySet[Any]:
    """The queryset in the asked order (then by primary key, so that equal rows keep one order), or in the
    list's `default` order (which ends with the primary key)."""
    column = next((c for c in columns if c.key == sort.column and c.order is not None), None)
    if column is None or column.order is None:
        return qs.order_by(*(default or ("pk",)))
    return qs.order_by(*order_by(sort, column.order()))


def ordered_rows(rows: Sequence[T], columns: Sequence[Column], sort: Sort) -> list[T]:
    """Rows held in memory in the asked order; rows of equal value keep the list's own order."""
    column = next((c for c in columns if c.key == sort.column and c.value is not None), None)
    if column is None or column.value is None:
        return list(rows)
    value = column.value
    empty = [row for row in rows if value(row) is None]
    filled = sorted((row for row in rows if value(row) is not None), key=value, reverse=sort.descending)
    return [*filled, *empty]
