"""Lists' counts kept in memory under the data version (nextsteps/pagination.py, kept_count): counted once
per version, counted again after any write, never kept from inside a transaction, never shared between
readers of different organisations, bounded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps import pagination
from nextsteps.audit.log import bump_data_version, data_version
from nextsteps.audit.models import DataVersion
from nextsteps.programmes.models import Organisation
from tests import factories

pytestmark = pytest.mark.django_db
Login = Callable[[str], Client]


@pytest.fixture
def outside_transactions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Requests as a server serves them, outside any transaction: each test runs inside one, where nothing
    is kept. Only the count's own check is told so; the transactions themselves are untouched."""
    monkeypatch.setattr(pagination, "in_transaction", lambda database: False)
    pagination._kept.clear()
    yield
    pagination._kept.clear()


def counts_run(client: Client, name: str, **query: str) -> tuple[int, int]:
    """The list's count as shown, and how many counting statements the request ran."""
    with CaptureQueriesContext(connection) as read:
        response = client.get(reverse(name), query)
    assert response.status_code == 200
    # The list's count, alone or added up from parts (pagination.counted_together), never the menu's.
    statements = [q for q in read.captured_queries if "COUNT(*)" in q["sql"] and ") AS part" in q["sql"]]
    return response.context["page"].paginator.count, len(statements)


def test_a_list_is_counted_once_per_data_version(login: Login, outside_transactions: None) -> None:
    client = login("caseworker.sa")
    bump_data_version()
    first, counted = counts_run(client, "records:person-list")
    assert counted == 1
    again, counted_again = counts_run(client, "records:person-list")
    assert (again, counted_again) == (first, 0)


def test_a_record_saved_is_counted_on_the_next_request(login: Login, outside_transactions: None) -> None:
    client = login("caseworker.sa")
    bump_data_version()
    before, _counted = counts_run(client, "records:person-list")
    factories.person(Organisation.objects.get(slug="salvation-army-ro"))
    after, counted = counts_run(client, "records:person-list")
    assert (after, counted) == (before + 1, 1)


def test_my_cases_count_moves_with_a_new_case(login: Login, outside_transactions: None) -> None:
    from tests.test_my_cases_page import ijm_cases

    client = login("caseworker.ijm")
    bump_data_version()
    before, _counted = counts_run(client, "casework:mine")
    ijm_cases(1)
    assert counts_run(client, "casework:mine") == (before + 1, 1)


def test_nothing_is_kept_from_inside_a_transaction(login: Login) -> None:
    pagination._kept.clear()
    client = login("caseworker.sa")
    bump_data_version()
    assert counts_run(client, "records:person-list")[1] == 1
    assert counts_run(client, "records:person-list")[1] == 1
    assert not pagination._kept


def test_readers_of_other_organisations_get_their_own_counts(
    login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    bump_data_version()
    factories.person(Organisation.objects.get(slug="ijm-ro"))
    sa, ijm = login("caseworker.sa"), login("caseworker.ijm")
    # Counted as without memory first, then through it: each reader gets the count of their own list.
    expected = [counts_run(client, "records:person-list")[0] for client in (sa, ijm)]
    assert expected[0] != expected[1]
    monkeypatch.setattr(pagination, "in_transaction", lambda database: False)
    pagination._kept.clear()
    assert [counts_run(client, "records:person-list") for client in (sa, ijm)] == [
        (expected[0], 1),
        (expected[1], 1),
    ]
    assert [counts_run(client, "records:person-list")[0] for client in (sa, ijm)] == expected
    pagination._kept.clear()


def test_what_memory_keeps_is_bounded_and_holds_no_search_text(
    login: Login, outside_transactions: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagination, "KEPT_COUNTS", 3)
    client = login("caseworker.sa")
    bump_data_version()
    for typed in ("Ana", "Ion", "Maria", "Elena", "Mihai"):
        counts_run(client, "records:person-list", q=typed)
    assert len(pagination._kept) == 3
    kept: list[Any] = list(pagination._kept)
    assert all(isinstance(key, bytes) and b"Elena" not in key for key in kept)


def test_a_data_version_is_never_given_twice_even_after_it_went_back() -> None:
    bump_data_version()
    seen = data_version()
    # A database restored from a backup (or emptied by a test run) while a server keeps running.
    DataVersion.objects.filter(pk=1).update(number=1)
    bump_data_version()
    assert data_version() > seen
    DataVersion.objects.all().delete()
    assert data_version() == 0
    bump_data_version()
    assert data_version() > seen
