"""A list's cells written out in Python (nextsteps/rendering.py `text` and `shown`, records.listing.row,
My cases' rows): the same text as `{{ value }}` in one of our templates, in each language and time zone, and
the rows of the pages as their templates wrote them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from nextsteps import rendering
from nextsteps.casework import actions
from nextsteps.casework.views import case_row
from nextsteps.programmes.models import Organisation, Programme
from tests import factories
from tests.casework_helpers import user
from tests.factories import open_case

Login = Callable[[str], Client]
VALUE = Template("{{ value }}")
MOMENT = dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC)

VALUES: list[tuple[str, Any]] = [
    ("text", "<b>\"Ana\" & 'Ion'</b>"),
    ("empty text", ""),
    ("safe text", mark_safe("<i>kept</i>")),
    ("lazy text", gettext_lazy("high")),
    ("number", 12345),
    ("decimal", 1234.5),
    ("yes", True),
    ("day", dt.date(2026, 12, 4)),
    ("moment", MOMENT),
    ("moment without a zone", dt.datetime(2026, 1, 31, 8, 5)),
]


@pytest.mark.parametrize(
    ("language", "zone"), [("en", "UTC"), ("nl", "Europe/Amsterdam"), ("ro", "Europe/Bucharest")]
)
@pytest.mark.parametrize(("name", "value"), VALUES, ids=[name for name, _value in VALUES])
def test_a_cell_reads_as_the_template_writes_the_value(
    language: str, zone: str, name: str, value: Any
) -> None:
    with translation.override(language), timezone.override(zone):
        # Twice: the second answer comes from what the first one kept.
        assert rendering.text(value) == VALUE.render(Context({"value": value}))
        assert rendering.text(value) == VALUE.render(Context({"value": value}))


def test_a_day_kept_in_one_language_is_not_shown_in_another() -> None:
    day = dt.date(2026, 3, 4)
    with translation.override("en"):
        assert rendering.text(day) == "4 Mar 2026"
    with translation.override("nl"):
        assert rendering.text(day) == "4 mrt 2026"


def test_a_moment_kept_in_one_time_zone_is_not_shown_in_another() -> None:
    with translation.override("en"), timezone.override("UTC"):
        assert rendering.text(MOMENT) == "4 Dec 2026 23:30"
    with translation.override("en"), timezone.override("Europe/Bucharest"):
        assert rendering.text(MOMENT) == "5 Dec 2026 01:30"


def test_a_missing_value_is_a_dash_and_nothing_else_is() -> None:
    assert rendering.shown(None) == "–"
    assert rendering.shown(0) == "0"
    assert rendering.shown("") == ""


@pytest.mark.django_db
def test_the_visits_list_writes_its_rows_as_its_template_did(login: Login) -> None:
    org, programme = (
        Organisation.objects.get(slug="salvation-army-ro"),
        Programme.objects.get(slug="next-steps"),
    )
    household = factories.household(org, locality="Iaşi <& co>")
    with_household = factories.visit(
        programme, org, dt.date(2026, 3, 4), locality="Iaşi <& co>", household=household
    )
    factories.visit(programme, org, dt.date(2026, 3, 5), locality="Vaslui")
    client = login("caseworker.sa")
    client.post(reverse("accounts:language"), {"language": "nl", "next": "/"})
    page = client.get(reverse("records:visit-list"), {"locality": "Iaşi <& co>"})
    assert page.status_code == 200
    expected = (
        f'<td><a href="{reverse("records:visit-detail", args=[with_household.pk])}">4 mrt 2026</a></td>'
        f"<td>{with_household.site_type}</td><td>Iaşi &lt;&amp; co&gt;</td><td>{household.code}</td>"
    )
    assert f"<tr>{expected}</tr>" in page.content.decode()
    # A visit of no household shows a dash in that column.
    other = client.get(reverse("records:visit-list"), {"locality": "Vaslui"})
    assert "<td>Vaslui</td><td>–</td></tr>" in other.content.decode()


@pytest.mark.django_db
def test_my_cases_writes_its_rows_as_its_template_did() -> None:
    org = Organisation.objects.get(slug="ijm-ro")
    case = open_case(
        acting_user=None,
        programme=Programme.objects.get(slug="next-steps"),
        organisation=org,
        person=factories.person(org),
        opened=dt.date(2026, 1, 5),
        caseworker=user("caseworker.ijm"),
    )
    actions.add_assessment(case, acting_user=None, date=dt.date(2026, 1, 6), risk_level="high")
    listed = Template(
        "{% load i18n %}"
        '<td><a href="{{ address }}">{{ case.person.code }}</a>{% if case.status == "closed" %} '
        '({% translate "closed" %}){% endif %}</td>\n    '
        '<td>{% if case.risk == "high" %}{% translate "high" %}{% elif case.risk == "medium" %}'
        '{% translate "medium" %}{% elif case.risk == "low" %}{% translate "low" %}{% else %}–{% endif %}</td>\n    '
        '<td>{{ case.next_follow_up|default:"–" }}</td>\n    '
        '<td class="num">{% if case.overdue_count %}<strong>{{ case.overdue_count }}</strong>{% else %}0'
        "{% endif %}</td>\n    "
        '<td>{{ case.last_activity|default:"–" }}</td>\n    '
        '<td>{{ case.caseworker|default:"–" }}</td>'
    )
    variants: list[dict[str, Any]] = [
        {"risk": "high", "overdue_count": 3, "next_follow_up": dt.date(2026, 2, 1), "status": "open"},
        {"risk": None, "overdue_count": 0, "next_follow_up": None, "status": "closed", "caseworker": None},
        {"risk": "low", "overdue_count": 1, "last_activity": dt.date(2026, 1, 7), "status": "open"},
    ]
    for language in ("en", "nl", "ro"):
        for variant in variants:
            case.last_activity = dt.date(2026, 1, 6)  # type: ignore[attr-defined]  # an annotation
            for name, value in variant.items():
                setattr(case, name, value)
            with translation.override(language):
                expected = listed.render(Context({"case": case, "address": "/cases/1/?a=1&b=2"}))
                assert case_row(case, "/cases/1/?a=1&b=2") == expected


@pytest.mark.parametrize("language", ["en", "nl", "ro"])
def test_a_data_quality_row_is_written_as_its_template_did(language: str) -> None:
    from nextsteps.reports.views import CountsRow

    listed = Template(
        '<th scope="row">{{ label }}</th>{% for n, url in cells %}<td>{% if url %}<a href="{{ url }}">{{ n }}'
        "</a>{% else %}{{ n }}{% endif %}</td>{% endfor %}"
    )
    label = gettext_lazy("high")
    cells = [(0, ""), (12345, "/persons/?organisation=3&problem=x"), (7, "")]
    with translation.override(language):
        assert CountsRow(label, cells).html == listed.render(Context({"label": label, "cells": cells}))
