"""Records whose external id is unique in their organisation are found by it through that unique index, and
have no index of the id alone (it cost each imported record one more write); a visit's household is indexed
for household visits only. Checked on the database's own plans: SQLite's EXPLAIN QUERY PLAN, and PostgreSQL's
EXPLAIN with sequential scans priced out (on a test database's few rows it would rightly read the table)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from nextsteps.records.actions import records_by_key
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db

SA = "salvation-army-ro"
ORGANISATION_SCOPED = [
    m.Person,
    m.Household,
    m.Case,
    m.OutreachVisit,
    m.Activity,
    m.Volunteer,
    m.Distribution,
    m.PartnerContact,
]
RECORD_TABLES = {model._meta.db_table for model in ORGANISATION_SCOPED}


def plan(sql: str, params: Sequence[Any] = ()) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(row[-1] for row in cursor.fetchall())


def table_scans(text: str) -> set[str]:
    """The record tables a plan reads whole: SQLite's SCAN, of the table or of one of its indexes (a lookup
    is a SEARCH); PostgreSQL's sequential scan."""
    pattern = r"Seq Scan on (\w+)" if connection.vendor == "postgresql" else r"SCAN (\w+)"
    return set(re.findall(pattern, text)) & RECORD_TABLES


def unique_index(model: type[Model]) -> str:
    return next(c.name for c in model._meta.constraints if c.name.endswith("_external_id"))


@pytest.mark.parametrize("model", ORGANISATION_SCOPED, ids=lambda model: model.__name__)
def test_a_record_unique_in_its_organisation_has_no_index_of_its_external_id_alone(
    model: type[Model],
) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    alone = [name for name, c in constraints.items() if c["index"] and c["columns"] == ["external_id"]]
    assert alone == []
    assert constraints[unique_index(model)]["columns"] == ["organisation_id", "external_id"]


@pytest.mark.parametrize("model", ORGANISATION_SCOPED, ids=lambda model: model.__name__)
def test_a_lookup_by_external_id_uses_the_organisations_unique_index(model: type[Model]) -> None:
    organisation = Organisation.objects.get(slug=SA)
    lookup = records_by_key(model, {"organisation": organisation}, "external_id", ["X-1", "X-2"])
    sql, params = lookup.values_list("pk").query.sql_with_params()
    assert unique_index(model) in plan(sql, params)


@pytest.mark.parametrize("model", ORGANISATION_SCOPED, ids=lambda model: model.__name__)
def test_a_save_checks_its_external_id_through_the_organisations_unique_index(model: type[Model]) -> None:
    # What a form, the API and the admin run before saving: the unique constraint's own validation.
    record = model._default_manager.order_by("pk").first()
    assert record is not None
    record.external_id = "X-NEW"  # type: ignore[attr-defined]
    with CaptureQueriesContext(connection) as queries:
        record.validate_constraints()
    checks = [q["sql"] for q in queries.captured_queries if '"external_id"' in q["sql"]]
    assert checks
    assert all(unique_index(model) in plan(sql) for sql in checks)


def test_visits_of_a_household_are_found_through_the_index_of_household_visits() -> None:
    household = m.Household.objects.filter(organisation__slug=SA).first()
    assert household is not None
    sql, params = (
        m.OutreachVisit.objects.filter(household=household).values_list("pk").query.sql_with_params()
    )
    text = plan(sql, params)
    assert "visit_household_idx" in text or "unique_household_visit_per_day" in text
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, m.OutreachVisit._meta.db_table)
    # The only index of the household alone is the partial one: a visit without a household costs no write.
    assert [n for n, c in constraints.items() if c["index"] and c["columns"] == ["household_id"]] == [
        "visit_household_idx"
    ]


def test_an_import_of_households_and_their_visits_reads_no_record_table_whole(tmp_path: Path) -> None:
    programme = Programme.objects.get(slug="next-steps")
    organisation = Organisation.objects.get(slug=SA)
    stored = m.Household.objects.filter(organisation=organisation, locality="Bucharest").first()
    assert stored is not None
    stored.external_id = "H-STORED"
    stored.save(update_fields=["external_id"])
    households = write_csv(tmp_path / "households.csv", ["external_id", "locality"], [["H-NEW", "Bucharest"]])
    visits = write_csv(
        tmp_path / "outreach_visits.csv",
        ["external_id", "date", "locality", "site_type", "household"],
        [
            ["V-1", "2024-03-01", "Bucharest", "household", "H-STORED"],
            ["V-2", "2024-03-01", "Bucharest", "household", "H-NEW"],
            ["V-3", "2024-03-02", "Bucharest", "street", ""],
        ],
    )
    with CaptureQueriesContext(connection) as queries:
        run(programme, organisation, households, visits)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    read = [sql for sql in selects if any(f'"{table}"' in sql for table in RECORD_TABLES)]
    # The stored visits of the file's stored households, on their days (AnyOf: IN, or = ANY on PostgreSQL).
    assert any(re.search(r'"household_id" (IN|= ANY)', sql) for sql in read)
    assert {sql: table_scans(plan(sql)) for sql in read if table_scans(plan(sql))} == {}
    # Each lookup of a record table by external id goes through that table's unique index.
    models = {model._meta.db_table: model for model in ORGANISATION_SCOPED}
    by_key = {
        sql: table
        for sql in read
        for table in re.findall(r'FROM "(\w+)"', sql)
        if table in models and re.search(rf'"{table}"\."external_id" (IN|= ANY)', sql)
    }
    assert {"records_household", "records_outreachvisit"} <= set(by_key.values())
    assert [sql for sql, table in by_key.items() if unique_index(models[table]) not in plan(sql)] == []
