"""A report's indicators are computed on two connections at once, from one state of the records
(nextsteps/indicators/engine.py, each)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from nextsteps.demo.programme import REPORT_END as END
from nextsteps.demo.programme import REPORT_START as START
from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator
from nextsteps.reports.builder import build_report


def indicators() -> list[Indicator]:
    return list(
        Indicator.objects.filter(pillar__programme__slug="next-steps")
        .select_related("pillar")
        .order_by("pillar__number", "order", "code")
    )


def figures(value: engine.IndicatorValue) -> tuple[Any, ...]:
    return (value.indicator.code, value.total, value.sex_age, value.by_organisation, value.by_locality)


@pytest.fixture
def committed(django_db_blocker: Any, settings: Any) -> Iterator[None]:
    """The demo as committed in the test database, read outside any transaction (as a server reads it),
    where the `db` fixture would wrap the test in one; on two connections (PostgreSQL's default is one)."""
    settings.NEXTSTEPS_REPORT_THREADS = 2
    with django_db_blocker.unblock():
        assert not connection.in_atomic_block
        yield


def counted_on_threads(chosen: list[Indicator]) -> tuple[list[engine.IndicatorValue], set[int]]:
    threads: set[int] = set()

    def compute(indicator: Indicator) -> engine.IndicatorValue:
        threads.add(threading.get_ident())
        time.sleep(0.01)  # long enough that both threads take work, as the real queries do
        return engine.value(indicator, START, END)

    return engine.each(chosen, compute), threads


def test_outside_a_transaction_two_connections_share_the_indicators_and_give_the_same_figures(
    committed: None,
) -> None:
    chosen = indicators()
    one_connection = [engine.value(indicator, START, END) for indicator in chosen]
    assert sum(1 for v in one_connection if v.total) >= 5
    shared, threads = counted_on_threads(chosen)
    assert len(threads) == 2
    assert [figures(v) for v in shared] == [figures(v) for v in one_connection]
    assert not connection.in_atomic_block  # the read transaction of the report is over


def test_the_report_is_the_same_with_one_connection_or_two(committed: None, settings: Any) -> None:
    from nextsteps.programmes.models import Programme

    programme = Programme.objects.get(slug="next-steps")
    two = build_report(programme, START, END, "en")
    settings.NEXTSTEPS_REPORT_THREADS = 1
    one = build_report(programme, START, END, "en")
    assert [figures(line.value) for line in two.lines] == [figures(line.value) for line in one.lines]


def test_a_write_between_the_two_snapshots_leaves_every_indicator_to_the_first_connection(
    committed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = threading.get_ident()
    real = engine.data_version
    # As if a record was saved after the main connection's snapshot and before the helper's.
    monkeypatch.setattr(engine, "data_version", lambda: real() + (0 if threading.get_ident() == main else 1))
    chosen = indicators()
    shared, threads = counted_on_threads(chosen)
    assert threads == {main}
    assert [figures(v) for v in shared] == [figures(engine.value(i, START, END)) for i in chosen]


def test_a_helper_that_fails_leaves_its_indicators_to_the_first_connection(committed: None) -> None:
    main = threading.get_ident()
    failed: list[str] = []

    def compute(indicator: Indicator) -> str:
        if threading.get_ident() != main:
            failed.append(indicator.code)
            raise RuntimeError("the helper's connection broke")
        time.sleep(0.01)
        return indicator.code

    chosen = indicators()
    assert engine.each(chosen, compute) == [i.code for i in chosen]
    assert len(failed) == 1


def test_inside_a_transaction_one_connection_computes_everything(demo: Any, settings: Any) -> None:
    settings.NEXTSTEPS_REPORT_THREADS = 2
    assert connection.in_atomic_block
    _values, threads = counted_on_threads(indicators())
    assert threads == {threading.get_ident()}


def test_a_failure_on_the_first_connection_is_raised_and_stops_the_helper(committed: None) -> None:
    main = threading.get_ident()
    on_helper: list[str] = []

    def compute(indicator: Indicator) -> str:
        if threading.get_ident() == main:
            time.sleep(0.02)
            raise RuntimeError("the query failed")
        on_helper.append(indicator.code)
        time.sleep(0.01)
        return indicator.code

    chosen = indicators()
    with pytest.raises(RuntimeError, match="the query failed"):
        engine.each(chosen, compute)
    assert len(on_helper) < len(chosen) - 1
    assert not connection.in_atomic_block
