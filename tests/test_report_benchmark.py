"""The report benchmark's reference queries and its verdicts (benchmarks/report_benchmark.py)."""

from __future__ import annotations

import json
from typing import Any

from benchmarks.report_benchmark import PERIODS, duck_sql, targets


def test_the_duckdb_reference_filters_distributions_and_volunteers_by_campaign_kind() -> None:
    # The demo's Christmas gifts indicator counts every campaign of a kind: the reference failed on it.
    for source in ("distributions", "volunteers"):
        rule = ["gifts", source, "records", json.dumps({"campaign_kind": ["christmas"]}), 1]
        assert "k.kind IN ('christmas')" in duck_sql(rule, "2022-01-01", "2022-12-31")


def run(wall: float, duck: float, queries: dict[str, int]) -> dict[str, Any]:
    return {
        "periods": {
            period: {
                "median": wall,
                "cpu_median": wall,
                "server_cpu_median": None,
                "queries": queries[period],
            }
            for period in PERIODS
        }
    }


def test_each_target_is_printed_as_met_or_missed_with_its_ratio() -> None:
    duck = {"periods": {period: {"median": 0.5} for period in PERIODS}}
    same = dict.fromkeys(PERIODS, 25)
    results = {"SQLite": run(0.9, 0.5, same), "PostgreSQL": run(2.0, 0.5, {**same, "whole year": 26})}
    failures = ["PostgreSQL, whole year: families-visited: Next Steps 1 != DuckDB 2"]
    lines = "\n".join(targets(results, duck, failures))
    assert "met    whole year, SQLite: report within 1 s of wall time: 0.900 s (0.90× the limit" in lines
    assert "met    whole year, SQLite: within 3× DuckDB: 1.80×" in lines
    assert "MISSED whole year, PostgreSQL: report within 1 s of wall time: 2.000 s (2.00× the limit" in lines
    assert "MISSED whole year, PostgreSQL: within 3× DuckDB: 4.00×" in lines
    assert "MISSED whole year, PostgreSQL: every figure equals DuckDB's (1 indicators differ)" in lines
    assert "met    5 months, PostgreSQL: every figure equals DuckDB's" in lines
    assert "met    SQLite: query count independent of the number of records" in lines
    assert "MISSED PostgreSQL: query count independent of the number of records" in lines
