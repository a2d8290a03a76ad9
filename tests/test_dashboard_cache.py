"""The dashboard's figures are cached only until the next write: never stale, and cheap when unchanged."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nextsteps.audit.log import data_version
from nextsteps.audit.models import AuditEntry
from nextsteps.indicators import engine
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records.models import Person
from nextsteps.reports.models import CachedFigures
from tests import factories as f

pytestmark = pytest.mark.django_db
SEED_PERIOD = {"period": "20210801-20211231"}
CODE = "survivors-return-legal"  # 13 distinct survivors in the seed period


def actual(client: Client, params: dict[str, str] = SEED_PERIOD) -> str:
    """The figure on the page as rendered (the indicators' part may come from the cache of the data
    version), which must be the one computed for the page's context."""
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    shown = re.search(
        rf'data-code="{CODE}">.*?<strong class="actual">([^<]*)</strong>', response.content.decode(), re.S
    )
    rows = {row.indicator.code: row for p in response.context["pillars"] for row in p["rows"]}
    assert shown is not None and shown.group(1) == rows[CODE].actual
    return rows[CODE].actual


def survivor() -> Person:
    org = Organisation.objects.get(slug="salvation-army-ro")
    return f.person(org, survivor_status=Person.SurvivorStatus.IDENTIFIED)


def test_a_record_created_through_the_actions_layer_is_on_the_dashboard_at_once(
    login: Callable[[str], Client], demo: Programme
) -> None:
    client = login("coordinator")
    assert actual(client) == "13"
    assert CachedFigures.objects.filter(version=data_version()).exists()
    f.service(demo, Organisation.objects.get(slug="salvation-army-ro"), survivor(), dt.date(2021, 10, 1))
    assert actual(client) == "14"


def a_counted_service(client: Client, demo: Programme) -> Any:
    """A legal-support service to a new survivor inside the seed period: the figure goes from 13 to 14."""
    service = f.service(
        demo, Organisation.objects.get(slug="salvation-army-ro"), survivor(), dt.date(2021, 10, 1)
    )
    assert actual(client) == "14"
    return service


def test_a_changed_record_moves_the_figure_at_once(login: Callable[[str], Client], demo: Programme) -> None:
    client = login("coordinator")
    service = a_counted_service(client, demo)
    actions.update_record(service, acting_user=None, date=dt.date(2022, 3, 1))
    assert actual(client) == "13"


def test_a_deleted_record_leaves_the_figure_at_once(login: Callable[[str], Client], demo: Programme) -> None:
    client = login("coordinator")
    actions.delete_record(a_counted_service(client, demo), acting_user=None)
    assert actual(client) == "13"


def test_a_counting_rule_changed_in_the_admin_is_applied_at_once(login: Callable[[str], Client]) -> None:
    client = login("coordinator")
    assert actual(client) == "13"
    indicator = Indicator.objects.get(code=CODE, pillar__programme__slug="next-steps")
    indicator.filters = {**indicator.filters, "type": ["return_assistance"]}
    indicator.save()  # as the admin does: no actions layer, no audit entry
    fresh = engine.value(indicator, dt.date(2021, 8, 1), dt.date(2021, 12, 31)).total
    assert fresh != 13
    assert actual(client) == str(fresh)


def test_viewing_a_record_does_not_throw_the_figures_away(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    person = Person.objects.filter(organisation__slug="salvation-army-ro").first()
    assert person is not None
    before, entries = data_version(), AuditEntry.objects.filter(action="view").count()
    assert client.get(reverse("records:person-detail", args=[person.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="view").count() == entries + 1
    assert data_version() == before


def test_a_cached_dashboard_issues_a_small_fixed_number_of_queries_and_none_on_records(
    login: Callable[[str], Client],
) -> None:
    client = login("coordinator")

    def queries(params: dict[str, str]) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home"), params).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    cold = queries(SEED_PERIOD)
    hit = queries(SEED_PERIOD)
    other_hit = (queries({"period": "year"}), queries({"period": "year"}))[1]
    # One of them reads the date of the latest record, which says which period the page opens on.
    assert len(hit) == len(other_hit) <= 16
    assert len(hit) < len(cold)
    indicator_tables = ("records_servicedelivery", "records_visitperson", "records_outreachvisit")
    assert not any(table in sql for sql in hit for table in indicator_tables)


def test_a_bulk_load_outside_the_actions_layer_moves_the_data_version(demo: Programme) -> None:
    from django.core.management import call_command

    before = data_version()
    call_command("generate", programme=demo.slug, persons="20", years="1", seed="3")
    assert data_version() > before


def counted(function: Callable[..., Any], name: str, calls: list[str]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return function(*args, **kwargs)

    return wrapper


def test_a_second_dashboard_without_a_write_between_asks_the_engine_nothing(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login("coordinator")
    assert client.get(reverse("home"), SEED_PERIOD).status_code == 200
    calls: list[str] = []
    for name in ("value", "monthly"):
        monkeypatch.setattr(engine, name, counted(getattr(engine, name), name, calls))
    response = client.get(reverse("home"), SEED_PERIOD)
    rows = {row.indicator.code: row for p in response.context["pillars"] for row in p["rows"]}
    assert calls == []
    assert rows[CODE].actual == "13" and rows[CODE].trend and rows[CODE].breakdown


def test_a_second_dashboard_without_a_write_between_renders_no_indicator(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The indicators' part of the page is kept as HTML under the data version: about two thirds of a
    dashboard request's CPU is building and rendering it."""
    from nextsteps.reports import views

    client = login("coordinator")
    first = client.get(reverse("home"), SEED_PERIOD).content.decode()
    calls: list[str] = []
    real = views.dashboard_pillars

    def counted_pillars(*args: Any, **kwargs: Any) -> Any:
        calls.append("pillars")
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "dashboard_pillars", counted_pillars)
    again = client.get(reverse("home"), SEED_PERIOD).content.decode()
    assert calls == []
    pillars = '<section class="pillar">'
    assert pillars in again and again[again.index(pillars) :] == first[first.index(pillars) :]


def test_the_kept_indicators_are_those_of_the_readers_audience_and_language(
    login: Callable[[str], Client],
) -> None:
    """A coordinator's exact figures are never shown to a viewer (small numbers withheld), nor a page in
    one language to a reader of another, whoever opened the page first."""
    period = {"period": "custom", "date_from": "2021-08-01", "date_to": "2021-08-31"}
    exact = login("coordinator").get(reverse("home"), period).content.decode()  # Dutch, internal
    external = login("viewer").get(reverse("home"), period).content.decode()  # Dutch, external
    romanian = login("caseworker.sa").get(reverse("home"), period).content.decode()  # Romanian, internal
    assert "minder dan" not in exact and "minder dan" in external
    assert "Pijler 1" in exact and "Pilonul 1" in romanian and "Pijler 1" not in romanian
