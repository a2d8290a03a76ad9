"""The database triggers that keep counted rows exact (nextsteps/indicators/counted.py), whoever writes.

A write to any table a kept rule reads, by a form, an import, the API, the admin, a merge, an erasure or
raw SQL, records the persons ("p") and households ("h") whose counted rows it may change in
indicators_dirtykey, in the writer's own transaction (on SQLite, inserts are found by watermark instead:
new_rows_sql); a change of a code or slug that rules filter on
records "*" (every rule is rebuilt). Reports count dirty keys with today's query until their rows are
rebuilt, so a record saved a second ago is in the next report.

The marks are data: each says, for a table, which keys a changed row touches, as SQL over the changed rows
`{rows} R`. The same marks become per-row triggers on SQLite (the row is NEW or OLD) and statement triggers
with transition tables on PostgreSQL (one INSERT per statement, whatever the rows: bulk loads stay fast).
Table and column names are written out, not read from the models; a change of the marks comes with a
migration that installs them again. tests/test_counted_triggers.py checks that the marks cover every table
a kept rule's paths cross and that the installed triggers are these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DIRTY_TABLE = "indicators_dirtykey"
WATERMARK_TABLE = "indicators_countedwatermark"
EVENTS = ("INSERT", "UPDATE", "DELETE")
# On SQLite a table with an insert trigger costs every inserted row about 6 µs more, whatever the trigger
# does (measured: 400,000 rows 2.9 s without, 5.1 s with a trigger that does nothing): inserts are found by
# watermark there instead (new_rows_sql).
SQLITE_EVENTS = ("UPDATE", "DELETE")


@dataclass(frozen=True)
class Mark:
    table: str
    kind: str  # "p", "h" or "*"
    select: str  # keys as column k, from the changed rows {rows} R
    columns: tuple[str, ...]  # the columns of R it reads
    events: tuple[str, ...] = EVENTS


@dataclass(frozen=True)
class Renamed:
    """A code or slug that rules filter on: when it changes, which records a rule matches changes, so every
    rule is rebuilt ("*"). Rows that keep their code (most saves) mark nothing; a new row matches no stored
    record yet, and one in use cannot be deleted (its records protect it)."""

    table: str
    column: str


RENAMED: tuple[Renamed, ...] = (
    Renamed("records_servicetype", "code"),
    Renamed("records_outcometype", "code"),
    Renamed("records_sitetype", "code"),
    Renamed("programmes_organisation", "slug"),
)


MARKS: tuple[Mark, ...] = (
    Mark("records_visitperson", "p", "SELECT R.person_id AS k FROM {rows} R", ("person_id",)),
    Mark(
        "records_visitperson",
        "h",
        "SELECT v.household_id AS k FROM {rows} R JOIN records_outreachvisit v ON v.id = R.visit_id",
        ("visit_id",),
    ),
    Mark("records_outreachvisit", "h", "SELECT R.household_id AS k FROM {rows} R", ("household_id",)),
    # A new visit has nobody reached yet: its persons are marked as they are added.
    Mark(
        "records_outreachvisit",
        "p",
        "SELECT vp.person_id AS k FROM {rows} R JOIN records_visitperson vp ON vp.visit_id = R.id",
        ("id",),
        ("UPDATE", "DELETE"),
    ),
    # Rules filter on a person's sex and survivor status; their age is read when counting.
    Mark("records_person", "p", "SELECT R.id AS k FROM {rows} R", ("id",), ("UPDATE", "DELETE")),
    Mark(
        "records_person",
        "h",
        "SELECT v.household_id AS k FROM {rows} R JOIN records_visitperson vp ON vp.person_id = R.id "
        "JOIN records_outreachvisit v ON v.id = vp.visit_id",
        ("id",),
        ("UPDATE", "DELETE"),
    ),
    Mark("records_case", "p", "SELECT R.person_id AS k FROM {rows} R", ("person_id",), ("UPDATE", "DELETE")),
    Mark(
        "records_servicedelivery",
        "p",
        "SELECT c.person_id AS k FROM {rows} R JOIN records_case c ON c.id = R.case_id",
        ("case_id",),
    ),
    Mark(
        "records_outcome",
        "p",
        "SELECT c.person_id AS k FROM {rows} R JOIN records_case c ON c.id = R.case_id",
        ("case_id",),
    ),
)

TABLES = tuple(dict.fromkeys([*(mark.table for mark in MARKS), *(renamed.table for renamed in RENAMED)]))


def _insert(mark: Mark, rows: str) -> str:
    select = mark.select.format(rows=rows)
    return f"INSERT INTO {DIRTY_TABLE} (kind, k) SELECT '{mark.kind}', x.k FROM ({select}) x WHERE x.k IS NOT NULL"


def _name(table: str, event: str) -> str:
    return f"counted_{table}_{event.lower()}"


def _renamed_name(renamed: Renamed) -> str:
    return f"counted_{renamed.table}_{renamed.column}"


def _marks(table: str, event: str) -> list[Mark]:
    return [mark for mark in MARKS if mark.table == table and event in mark.events]


def inserted_tables() -> list[str]:
    """The tables whose inserts are marked: on SQLite by watermark instead of by trigger (new_rows_sql)."""
    return [table for table in TABLES if _marks(table, "INSERT")]


def new_rows_sql() -> str:
    """SQLite: the (kind, k) that rows inserted since the last refresh mark, by the same marks as an insert
    trigger would, over the rows whose id is above the table's watermark. Ids only grow there (Django's
    tables are AUTOINCREMENT), so these are exactly the rows inserted since, whoever inserted them."""
    parts = []
    for table in inserted_tables():
        rows = (
            f"(SELECT * FROM {table} WHERE id > COALESCE((SELECT last_id FROM {WATERMARK_TABLE} "
            f"WHERE name = '{table}'), 0))"
        )
        for mark in _marks(table, "INSERT"):
            parts.append(
                f"SELECT '{mark.kind}' AS kind, x.k AS k FROM ({mark.select.format(rows=rows)}) x "
                "WHERE x.k IS NOT NULL"
            )
    return " UNION ALL ".join(parts)


def dirty_sql(vendor: str) -> str:
    """Every dirty (kind, k): the marks the triggers wrote and, on SQLite, those of rows inserted since."""
    marked = f"SELECT kind, k FROM {DIRTY_TABLE}"
    return f"{marked} UNION ALL {new_rows_sql()}" if vendor == "sqlite" else marked


def watermark_statements() -> list[str]:
    """SQLite: move every watermark to its table's largest id (a refresh has seen every row)."""
    return [
        f"INSERT INTO {WATERMARK_TABLE} (name, last_id) VALUES ('{table}', "
        f"COALESCE((SELECT MAX(id) FROM {table}), 0)) ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id"
        for table in inserted_tables()
    ]


def sqlite_statements(*, inserts_by_trigger: bool = False) -> list[str]:
    out = [
        f"CREATE TRIGGER {_renamed_name(r)} AFTER UPDATE OF {r.column} ON {r.table} FOR EACH ROW "
        f"WHEN OLD.{r.column} IS NOT NEW.{r.column} BEGIN INSERT INTO {DIRTY_TABLE} (kind, k) VALUES ('*', 0); END"
        for r in RENAMED
    ]
    for table in TABLES:
        for event in EVENTS if inserts_by_trigger else SQLITE_EVENTS:
            marks = _marks(table, event)
            if not marks:
                continue
            sides = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[event]
            body = []
            for mark in marks:
                for side in sides:
                    row = ", ".join(f'{side}."{column}" AS "{column}"' for column in mark.columns)
                    body.append(_insert(mark, f"(SELECT {row})") + ";")
            out.append(
                f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} FOR EACH ROW BEGIN "
                + " ".join(body)
                + " END"
            )
    return out


def postgresql_statements() -> list[str]:
    out = []
    for r in RENAMED:
        name = _renamed_name(r)
        out.append(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN INSERT INTO {DIRTY_TABLE} (kind, k) VALUES ('*', 0); RETURN NULL; END $$"
        )
        out.append(
            f"CREATE TRIGGER {name} AFTER UPDATE OF {r.column} ON {r.table} FOR EACH ROW "
            f"WHEN (OLD.{r.column} IS DISTINCT FROM NEW.{r.column}) EXECUTE FUNCTION {name}()"
        )
    for table in TABLES:
        for event in EVENTS:
            marks = _marks(table, event)
            if not marks:
                continue
            sides = {"INSERT": ["new_rows"], "UPDATE": ["old_rows", "new_rows"], "DELETE": ["old_rows"]}[
                event
            ]
            body = " ".join(_insert(mark, side) + ";" for mark in marks for side in sides)
            name = _name(table, event)
            referencing = " ".join(
                f"{'OLD' if side == 'old_rows' else 'NEW'} TABLE AS {side}" for side in sides
            )
            out.append(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN NULL; END $$"
            )
            out.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    return out


def names(vendor: str) -> list[tuple[str, str]]:
    """(table, trigger name) of every trigger installed."""
    events = SQLITE_EVENTS if vendor == "sqlite" else EVENTS
    return [(table, _name(table, event)) for table in TABLES for event in events if _marks(table, event)] + [
        (r.table, _renamed_name(r)) for r in RENAMED
    ]


def install(schema_editor: Any, *, inserts_by_trigger: bool = False) -> None:
    """The triggers, replacing any installed before; inserts_by_trigger: SQLite's insert triggers too, as
    before watermarks (a migration undone)."""
    uninstall(schema_editor)
    if schema_editor.connection.vendor == "sqlite":
        statements = sqlite_statements(inserts_by_trigger=inserts_by_trigger)
    else:
        statements = postgresql_statements()
    for sql in statements:
        schema_editor.execute(sql, params=None)


def uninstall(schema_editor: Any) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    # Every event's name, so that a trigger a former version installed goes too.
    for table, name in names("postgresql"):
        if postgresql:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}", params=None)
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()", params=None)
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
