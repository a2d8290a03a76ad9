"""Each case's next follow-up (the earliest due date of its open follow-ups), kept in the case's own column by
database triggers, whoever writes: the case file's pages, an import, the API, the admin, a merge or raw SQL.

My cases sorts a caseworker's cases by it. Computed by a subquery, it cost every case listed a lookup before
the first 25 could be shown (6,197 cases: about 6 ms of PostgreSQL's time a page); kept in a column that
`case_caseworker_idx` ends with, the page is a walk of 25 index entries.

Two kinds of triggers keep it right:
- a follow-up's insert, its change of case, due date or completion, and its delete compute the column again
  for the case (both cases when it moves);
- a case's update that writes the column (Django writes every field on a save, so a form open while a
  follow-up was added would write back what it read) computes it again instead of taking the written value.

On PostgreSQL the case's row is locked before the column is computed, in a statement of its own: under READ
COMMITTED each statement then sees the follow-ups that other transactions committed while it waited, and two
follow-ups added to one case at once both count. On SQLite writers take turns (one write lock), and triggers
do not fire themselves again (`recursive_triggers` is off), so the guard's own update stops there.

Table and column names are written out, not read from the models: SQLite drops a table's triggers when a
migration rebuilds the table, and such a migration must call install() again (tests/test_next_follow_up.py
checks they are installed).
"""

from __future__ import annotations

from typing import Any

NEXT = "(SELECT min(f.due) FROM casework_followup f WHERE f.case_id = {case} AND f.done IS NULL)"
TRIGGERS = (
    ("casework_followup", "next_follow_up_insert"),
    ("casework_followup", "next_follow_up_update"),
    ("casework_followup", "next_follow_up_delete"),
    ("records_case", "next_follow_up_guard"),
)


def sqlite_statements() -> list[str]:
    def again(case: str, when: str = "") -> str:
        return f"UPDATE records_case SET next_follow_up = {NEXT.format(case=case)} WHERE id = {case}{when};"

    # The case a follow-up leaves, only when it moves: a change of date or completion computes one case.
    left = again("OLD.case_id", " AND OLD.case_id IS NOT NEW.case_id")
    return [
        "CREATE TRIGGER next_follow_up_insert AFTER INSERT ON casework_followup FOR EACH ROW "
        f"BEGIN {again('NEW.case_id')} END",
        "CREATE TRIGGER next_follow_up_update AFTER UPDATE OF case_id, due, done ON casework_followup "
        f"FOR EACH ROW BEGIN {again('NEW.case_id')} {left} END",
        "CREATE TRIGGER next_follow_up_delete AFTER DELETE ON casework_followup FOR EACH ROW "
        f"BEGIN {again('OLD.case_id')} END",
        "CREATE TRIGGER next_follow_up_guard AFTER UPDATE OF next_follow_up ON records_case FOR EACH ROW "
        f"WHEN NEW.next_follow_up IS NOT {NEXT.format(case='NEW.id')} BEGIN {again('NEW.id')} END",
    ]


def postgresql_statements() -> list[str]:
    return [
        """CREATE FUNCTION next_follow_up_again(wanted bigint) RETURNS void AS $$
BEGIN
    IF wanted IS NULL THEN
        RETURN;
    END IF;
    PERFORM 1 FROM records_case WHERE id = wanted FOR UPDATE;
    UPDATE records_case SET next_follow_up = """
        + NEXT.format(case="wanted")
        + """ WHERE id = wanted;
END
$$ LANGUAGE plpgsql""",
        """CREATE FUNCTION next_follow_up_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM next_follow_up_again(NEW.case_id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.case_id IS DISTINCT FROM NEW.case_id) THEN
        PERFORM next_follow_up_again(OLD.case_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
        """CREATE FUNCTION next_follow_up_guard() RETURNS trigger AS $$
BEGIN
    NEW.next_follow_up := """
        + NEXT.format(case="NEW.id")
        + """;
    RETURN NEW;
END
$$ LANGUAGE plpgsql""",
        "CREATE TRIGGER next_follow_up_insert AFTER INSERT ON casework_followup "
        "FOR EACH ROW EXECUTE FUNCTION next_follow_up_changed()",
        "CREATE TRIGGER next_follow_up_update AFTER UPDATE OF case_id, due, done ON casework_followup "
        "FOR EACH ROW EXECUTE FUNCTION next_follow_up_changed()",
        "CREATE TRIGGER next_follow_up_delete AFTER DELETE ON casework_followup "
        "FOR EACH ROW EXECUTE FUNCTION next_follow_up_changed()",
        "CREATE TRIGGER next_follow_up_guard BEFORE UPDATE OF next_follow_up ON records_case "
        "FOR EACH ROW EXECUTE FUNCTION next_follow_up_guard()",
    ]


def install(schema_editor: Any) -> None:
    """The triggers, replacing any installed before, and the column computed for every case."""
    uninstall(schema_editor)
    statements = (
        sqlite_statements() if schema_editor.connection.vendor == "sqlite" else postgresql_statements()
    )
    for sql in statements:
        schema_editor.execute(sql, params=None)
    # Only cases that have an open follow-up or a value (written before the triggers were dropped): every
    # case updated would also mark its person for the counted rows (indicators/counted_triggers.py).
    schema_editor.execute(
        f"UPDATE records_case SET next_follow_up = {NEXT.format(case='records_case.id')} "
        "WHERE next_follow_up IS NOT NULL "
        "OR id IN (SELECT case_id FROM casework_followup WHERE done IS NULL)",
        params=None,
    )


def uninstall(schema_editor: Any) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table, name in TRIGGERS:
        if postgresql:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}", params=None)
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
    if postgresql:
        for function in (
            "next_follow_up_changed()",
            "next_follow_up_guard()",
            "next_follow_up_again(bigint)",
        ):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}", params=None)
