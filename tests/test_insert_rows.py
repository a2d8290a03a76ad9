"""`insert_rows`, the bulk write under imports and outreach rounds: on SQLite, many rows a statement within
the parameters SQLite takes; a refused row raises Django's IntegrityError, and the caller's transaction takes
back everything the call wrote."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.db import IntegrityError, connection, transaction

from nextsteps.records import actions
from nextsteps.records.models import OutreachVisit, SiteType
from tests import factories as f

pytestmark = pytest.mark.django_db


def rows(count: int, prog_id: int, org_id: int, *, first: int = 0) -> list[dict[str, object]]:
    street = SiteType.objects.get(code="street").pk
    return [
        {
            "external_id": f"V-{i}",
            "programme_id": prog_id,
            "organisation_id": org_id,
            "date": dt.date(2021, 8, 1 + i % 28),
            "locality": "Iași",
            "site_type_id": street,
        }
        for i in range(first, first + count)
    ]


def test_more_rows_than_one_statement_takes_are_all_written(monkeypatch: pytest.MonkeyPatch) -> None:
    org = f.organisation()
    prog = f.programme(org)
    monkeypatch.setattr(actions, "ROWS_PER_INSERT", 3)
    actions.insert_rows(OutreachVisit, rows(10, prog.pk, org.pk))
    stored = OutreachVisit.objects.filter(organisation=org).order_by("external_id")
    assert [(v.external_id, v.date.day) for v in stored] == sorted((f"V-{i}", 1 + i % 28) for i in range(10))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL takes the rows through COPY")
def test_a_statement_takes_no_more_parameters_than_sqlite_allows() -> None:
    org = f.organisation()
    prog = f.programme(org)
    connection.ensure_connection()
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    # Two visits' worth of parameters: a build of SQLite may allow as few as 999.
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 25)
    try:
        actions.insert_rows(OutreachVisit, rows(7, prog.pk, org.pk))
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    assert OutreachVisit.objects.filter(organisation=org).count() == 7


def test_a_refused_row_raises_and_the_transaction_keeps_nothing_of_the_call() -> None:
    org = f.organisation()
    prog = f.programme(org)
    actions.insert_rows(OutreachVisit, rows(1, prog.pk, org.pk, first=5))
    with pytest.raises(IntegrityError), transaction.atomic():
        # V-5 is taken: the rows before it were written by the same statement.
        actions.insert_rows(OutreachVisit, rows(10, prog.pk, org.pk))
    assert list(OutreachVisit.objects.filter(organisation=org).values_list("external_id", flat=True)) == [
        "V-5"
    ]
