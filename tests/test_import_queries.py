"""An import costs a constant number of queries per batch, whatever the number of rows in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nextsteps.programmes.models import Organisation, Programme
from tests import factories as f
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db


def files(folder: Path, rows: int) -> list[Path]:
    folder.mkdir()
    persons = write_csv(
        folder / "persons.csv",
        ["external_id", "sex", "birth_year"],
        [[f"P-{i}", "female" if i % 2 else "male", 1980 + i % 30] for i in range(rows)],
    )
    cases = write_csv(
        folder / "cases.csv",
        # New persons have no consent recorded: a new case gives the reason (the case's consent rule).
        ["external_id", "person", "opened", "consent_not_asked_reason"],
        [[f"C-{i}", f"P-{i}", "2021-01-04", "Asked at the next meeting."] for i in range(rows)],
    )
    services = write_csv(
        folder / "services.csv",
        ["external_id", "case", "service_type", "date"],
        [[f"S-{i}", f"C-{i}", "legal_support", "2021-08-03"] for i in range(rows)],
    )
    visits = write_csv(
        folder / "outreach_visits.csv",
        ["external_id", "date", "locality", "site_type"],
        [[f"V-{i}", "2021-08-03", "Iași", "street"] for i in range(rows)],
    )
    reached = write_csv(
        folder / "visit_persons.csv", ["visit", "person"], [[f"V-{i}", f"P-{i}"] for i in range(rows)]
    )
    activities = write_csv(
        folder / "activities.csv",
        [
            "external_id",
            "activity_type",
            "title",
            "date",
            "locality",
            "attendance_total",
            "participant_groups",
        ],
        [[f"A-{i}", "training", "T", "2021-08-03", "Iași", "9", "police"] for i in range(rows)],
    )
    return [persons, cases, services, visits, reached, activities]


def count_queries(org: Organisation, prog: Programme, paths: list[Path], **options: Any) -> int:
    """The import's queries, without SQLite's statistics: gathered once for each table that outgrew its own
    (`writing.keep_statistics`), so a bigger import may gather them for a table more, never per row."""
    with CaptureQueriesContext(connection) as captured:
        run(prog, org, *paths, **options)
    gathered = [q for q in captured.captured_queries if q["sql"].startswith("ANALYZE")]
    assert len(gathered) <= len(connection.introspection.table_names())
    return len(captured) - len(gathered)


def test_ten_times_the_rows_in_a_batch_cost_no_more_queries(tmp_path: Path) -> None:
    org = f.organisation()
    small = count_queries(org, f.programme(org), files(tmp_path / "small", 50), batch_size=1000)
    big_files = files(tmp_path / "big", 500)
    other = f.organisation()
    assert count_queries(other, f.programme(other), big_files, batch_size=1000) <= small


def test_queries_grow_with_batches_not_rows(tmp_path: Path) -> None:
    org = f.organisation()
    one_batch = count_queries(org, f.programme(org), files(tmp_path / "one", 40), batch_size=40)
    other = f.organisation()
    four_batches = count_queries(other, f.programme(other), files(tmp_path / "four", 160), batch_size=40)
    # Six files, three more batches each: each batch costs at most ten queries, never one per row.
    assert four_batches - one_batch <= 6 * 3 * 10


def test_updating_ten_times_the_rows_costs_no_more_queries(
    tmp_path: Path, django_assert_max_num_queries: Any
) -> None:
    def visits(folder: Path, rows: int, locality: str) -> Path:
        folder.mkdir(exist_ok=True)
        return write_csv(
            folder / "outreach_visits.csv",
            ["external_id", "date", "locality", "site_type"],
            [[f"V-{i}", "2021-08-03", locality, "street"] for i in range(rows)],
        )

    small_org, big_org = f.organisation(), f.organisation()
    small_prog, big_prog = f.programme(small_org), f.programme(big_org)
    run(small_prog, small_org, visits(tmp_path / "s1", 50, "Iași"))
    run(big_prog, big_org, visits(tmp_path / "b1", 500, "Iași"))
    small = count_queries(
        small_org, small_prog, [visits(tmp_path / "s2", 50, "Cluj-Napoca")], batch_size=1000
    )
    with django_assert_max_num_queries(small):
        result = run(big_prog, big_org, visits(tmp_path / "b2", 500, "Cluj-Napoca"), batch_size=1000)
    assert result.counts["outreach_visits"].changed == 500
