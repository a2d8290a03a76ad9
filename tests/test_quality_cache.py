"""The data-quality page keeps its counts only while the data is unchanged: a second view without a write
between runs no check, and a record saved a second ago is counted on the next view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nextsteps.accounts.models import Membership, User
from nextsteps.reports import quality
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(login: Callable[[str], Client]) -> dict[str, Any]:
    own, other = factories.organisation("Own office"), factories.organisation("Other office")
    programme = factories.programme(own, other)
    user = User.objects.create_user(username="coord.own", password="x")
    Membership.objects.create(user=user, organisation=own, role="coordinator")
    return {"programme": programme, "own": own, "client": login("coord.own")}


def households_without_members(client: Client, programme: Any) -> str:
    response = client.get("/quality/", {"programme": programme.slug})
    assert response.status_code == 200
    tables = dict(response.context["tables"])
    check = next(c for c in tables if c.key == "households_without_members")
    cells = dict(zip(response.context["organisations"], tables[check][0][1], strict=True))
    return str(next(n for organisation, (n, _url) in cells.items() if organisation.name == "Own office"))


def test_a_second_view_without_a_write_between_runs_no_check(
    setting: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, programme = setting["client"], setting["programme"]
    factories.household(setting["own"])
    assert households_without_members(client, programme) == "1"
    calls: list[str] = []
    real = quality.run

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append("run")
        return real(*args, **kwargs)

    monkeypatch.setattr(quality, "run", counted)
    with CaptureQueriesContext(connection) as captured:
        assert households_without_members(client, programme) == "1"
    assert calls == []
    assert not any("records_household" in q["sql"] for q in captured.captured_queries)


def test_a_record_saved_a_second_ago_is_counted_on_the_next_view(setting: dict[str, Any]) -> None:
    client, programme, own = setting["client"], setting["programme"], setting["own"]
    factories.household(own)
    assert households_without_members(client, programme) == "1"
    factories.household(own)
    assert households_without_members(client, programme) == "2"
    factories.household(own, factories.person(own))
    assert households_without_members(client, programme) == "2"


def test_a_second_view_reads_neither_the_indicators_nor_their_targets(setting: dict[str, Any]) -> None:
    client, programme = setting["client"], setting["programme"]
    factories.indicator(programme, "services", "records", title_en="No target yet")
    first = client.get("/quality/", {"programme": programme.slug})
    assert first.context["without_target"]
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/quality/", {"programme": programme.slug})
    assert again.context["without_target"] == first.context["without_target"]
    read = [q["sql"] for q in captured.captured_queries]
    # The indicators' own rows and their targets' (the period drop-down still reads the targets' periods).
    assert not [sql for sql in read if sql.startswith('SELECT "indicators_indicator"."id"')]
    assert not [sql for sql in read if sql.startswith('SELECT "indicators_target"."id"')]


def test_a_target_set_takes_its_indicator_off_the_list_on_the_next_view(setting: dict[str, Any]) -> None:
    import datetime as dt

    from nextsteps.indicators.models import Target

    client, programme = setting["client"], setting["programme"]
    indicator = factories.indicator(programme, "services", "records", title_en="Soon with a target")
    first = client.get("/quality/", {"programme": programme.slug})
    assert "Soon with a target" in first.context["without_target"]
    # A target of a longer period applies to every period within it (engine.targets_for).
    Target.objects.create(
        indicator=indicator, start=dt.date(2000, 1, 1), end=dt.date(2099, 12, 31), target=10
    )
    again = client.get("/quality/", {"programme": programme.slug})
    assert "Soon with a target" not in again.context["without_target"]
