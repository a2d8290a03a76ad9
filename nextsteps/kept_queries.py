"""Queries that every request makes, by one key, compiled to SQL once per process instead of on every request.

A signed-in request reads its user, the second factor's device and the user's memberships before any page
code runs. Through the ORM each of those lookups builds its query, compiles it and only then sends a few
bytes of SQL: about 5% of a page's CPU each, for a statement that never changes but for the key. A
`KeptQuery` compiles its queryset once per database (with a probe in place of the key), then sends the kept
statement with the caller's key and builds the model instances as Django's own iteration does: the
database's converters (dates, booleans, encrypted fields) and the related objects of `select_related`.
What a query selects, filters and orders is still written with the ORM, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)

# Stands for the key while the query is compiled: an integer no key has, so that it is found among the
# statement's parameters, once.
PROBE = -918_273_645


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    key_position: int
    model: type[Model]
    # What Django's ModelIterable derives from the compiler, derived once.
    init_list: list[str]
    fields_start: int
    fields_end: int
    converters: dict[int, tuple[list[Any], Any]]
    related_populators: list[Any]


class KeptQuery(Generic[M]):
    """`build(key)` is the queryset for one key (an integer); `fetch(key)` returns its rows as instances."""

    def __init__(self, model: type[M], build: Callable[[int], QuerySet[M]]) -> None:
        self.model = model
        self.build = build
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def fetch(self, key: int) -> list[M]:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        # The database's engine is part of the key: tests may point an alias at another engine.
        compiled = self._compiled.get((alias, connection.vendor))
        if compiled is None:
            compiled = self._compiled[(alias, connection.vendor)] = self._compile(alias)
        params = list(compiled.params)
        params[compiled.key_position] = int(key)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return list(self._instances(compiled, rows, alias, connection))

    def _compile(self, alias: str) -> _Compiled:
        compiler = self.build(PROBE).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = [i for i, value in enumerate(params) if value == PROBE]
        if len(positions) != 1:
            raise ValueError(f"a kept query must use its key exactly once, not {len(positions)} times: {sql}")
        if compiler.annotation_col_map:
            raise ValueError(f"a kept query reads model fields only, no annotations: {sql}")
        # As django.db.models.query.ModelIterable reads the compiler after it ran the query.
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            sql=sql,
            params=tuple(params),
            key_position=positions[0],
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in select[start:end]],
            fields_start=start,
            fields_end=end,
            converters=compiler.get_converters([column[0] for column in select[: compiler.col_count]]),
            related_populators=get_related_populators(klass_info, select, alias),
        )

    @staticmethod
    def _instances(compiled: _Compiled, rows: list[Any], alias: str, connection: Any) -> Iterator[Any]:
        for raw in rows:
            row = list(raw)
            for position, (converters, expression) in compiled.converters.items():
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
            instance = compiled.model.from_db(
                alias, compiled.init_list, row[compiled.fields_start : compiled.fields_end]
            )
            for populator in compiled.related_populators:
                populator.populate(row, instance)
            yield instance
