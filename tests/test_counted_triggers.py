"""The triggers that mark dirty keys (nextsteps/indicators/counted_triggers.py) watch every table a kept
rule reads, and the database holds exactly the triggers declared."""

from __future__ import annotations

from django.db import connection
from django.db.models import Model

from nextsteps.indicators import counted, counted_triggers
from nextsteps.indicators.sources import SOURCES


def tables_read(model: type[Model], path: str) -> set[str]:
    """The tables whose columns a lookup path reads, from the source's own table to the last field (a path
    that ends on a foreign key reads the key's column, not the table it points to)."""
    tables = {model._meta.db_table}
    names = path.split("__")
    for name in names[:-1]:
        field = model._meta.get_field(name)
        assert field.is_relation and field.related_model is not None, path
        model = field.related_model  # type: ignore[assignment]
        tables.add(model._meta.db_table)
    return tables


def test_the_marks_watch_every_table_a_kept_rule_reads() -> None:
    watched = set(counted_triggers.TABLES)
    for key in counted.KEPT_SOURCES:
        source = SOURCES[key]
        paths = [
            source.date,
            source.programme,
            source.organisation,
            source.locality,
            source.person,
            source.household,
        ]
        paths += [flt.path for flt in source.filters.values()]
        for path in filter(None, paths):
            missing = tables_read(source.model, path) - watched
            # Programmes are matched by id, which no write changes.
            assert missing <= {"programmes_programme"}, (key, path, missing)


def test_a_path_through_an_unwatched_table_is_found() -> None:
    # The check above can fail: an activity's type is not watched.
    assert "records_activitytype" in tables_read(SOURCES["activities"].model, "activity_type__code")
    assert "records_activitytype" not in counted_triggers.TABLES


def test_the_database_holds_the_declared_triggers(db: object) -> None:
    if connection.vendor == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'counted_%%'"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'counted_%%'"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        installed = {name for (name,) in cursor.fetchall()}
    assert installed == {name for _table, name in counted_triggers.names(connection.vendor)}
