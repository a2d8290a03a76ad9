"""On generated records, the engine's figures equal a plain Python recount, with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nextsteps.indicators.engine import value
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Programme
from nextsteps.records.models import Activity, Distribution, Outcome, ServiceDelivery, VisitPerson, Volunteer
from nextsteps.reports.builder import build_report
from tests import factories as f

pytestmark = pytest.mark.django_db

PERIODS = [
    (dt.date(2021, 3, 1), dt.date(2021, 7, 31)),
    (dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
    (dt.date(2021, 1, 1), dt.date(2022, 12, 31)),
]


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any):  # type: ignore[no-untyped-def]
    """One generated programme for the whole module, rolled back at its end."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            offices = [
                f.organisation(country="NL", kind="country_office"),
                f.organisation(kind="country_office"),
            ]
            prog = f.programme(*offices, f.organisation(), f.organisation(), f.organisation(country="MD"))
            call_command(
                "generate", programme=prog.slug, persons="1200", years="2", seed="11", stdout=StringIO()
            )
            rules = {
                "reached": f.indicator(prog, "persons_reached", "distinct_persons", sex_age_breakdown=True),
                "reached_home_bucharest": f.indicator(
                    prog,
                    "persons_reached",
                    "distinct_persons",
                    {"site_type": ["household"], "locality": ["Bucharest"]},
                ),
                "reached_women_shelter": f.indicator(
                    prog,
                    "persons_reached",
                    "distinct_persons",
                    {"site_type": ["homeless_shelter", "street", "other"], "sex": ["female"]},
                ),
                "reached_records": f.indicator(prog, "persons_reached", "records"),
                "households": f.indicator(
                    prog, "visits", "distinct_households", {"site_type": ["household"]}
                ),
                "visits": f.indicator(prog, "visits", "records"),
                "survivors_legal": f.indicator(
                    prog,
                    "services",
                    "distinct_persons",
                    {"type": ["return_assistance", "legal_support"], "survivor": True},
                ),
                "services": f.indicator(prog, "services", "records"),
                "outcomes_women": f.indicator(prog, "outcomes", "distinct_persons", {"sex": ["female"]}),
                "reach": f.indicator(prog, "activities", "sum"),
                "volunteers": f.indicator(prog, "volunteers", "records"),
                "items": f.indicator(prog, "distributions", "sum"),
            }
            yield prog, rules
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# The reference: every counted row read one by one, filtered and counted in Python ----------------------------


def cell(sex: str, adult_on: dt.date | None, on: dt.date) -> str:
    sex = sex if sex in {"female", "male", "other"} else "unknown"
    age = "unknown" if adult_on is None else ("adult" if on >= adult_on else "child")
    named = {("female", "adult"): "woman", ("female", "child"): "girl", ("male", "adult"): "man"}
    named[("male", "child")] = "boy"
    return named.get((sex, age), f"{sex}_{age}")


def rows(prog: Programme, source: str) -> list[dict[str, Any]]:
    if source in {"persons_reached", "visits"}:
        if source == "persons_reached":
            qs: Any = VisitPerson.objects.filter(visit__programme=prog)
            prefix = "visit__"
            person = ["person", "person__sex", "person__adult_on", "person__survivor_status"]
        else:
            from nextsteps.records.models import OutreachVisit

            qs = OutreachVisit.objects.filter(programme=prog)
            prefix = ""
            person = []
        fields = ["date", "organisation", "locality", "site_type__code", "household"]
        out = []
        for row in qs.values_list(*[prefix + x for x in fields], *person):
            item = dict(zip(["date", "org", "loc", "site_type", "household"], row[:5], strict=True))
            if person:
                item.update(zip(["person", "sex", "adult_on", "survivor"], row[5:], strict=True))
            out.append(item)
        return out
    if source in {"services", "outcomes"}:
        model: Any = ServiceDelivery if source == "services" else Outcome
        kind = "service_type__code" if source == "services" else "outcome_type__code"
        return [
            dict(
                zip(
                    ["date", "org", "type", "person", "sex", "adult_on", "survivor"],
                    row,
                    strict=True,
                ),
                loc="",
            )
            for row in model.objects.filter(case__programme=prog).values_list(
                "date",
                "case__organisation",
                kind,
                "case__person",
                "case__person__sex",
                "case__person__adult_on",
                "case__person__survivor_status",
            )
        ]
    if source == "activities":
        return [
            {"date": d, "org": o, "loc": loc, "type": t, "n": n, "cells": [w, g, m, b]}
            for d, o, loc, t, n, w, g, m, b in Activity.objects.filter(programme=prog).values_list(
                "date",
                "organisation",
                "locality",
                "activity_type__code",
                "attendance_total",
                "attendance_women",
                "attendance_girls",
                "attendance_men",
                "attendance_boys",
            )
        ]
    if source == "volunteers":
        return [
            {"date": d, "org": o, "loc": loc}
            for d, o, loc in Volunteer.objects.filter(programme=prog).values_list(
                "signed_up", "organisation", "locality"
            )
        ]
    assert source == "distributions"
    return [
        {"date": d, "org": o, "loc": loc, "n": n}
        for d, o, loc, n in Distribution.objects.filter(programme=prog).values_list(
            "date", "organisation", "locality", "quantity"
        )
    ]


def matches(row: dict[str, Any], filters: dict[str, Any]) -> bool:
    for key, wanted in filters.items():
        if key == "survivor":
            if (row["survivor"] in {"presumed", "identified"}) != wanted:
                return False
        elif row["loc" if key == "locality" else key] not in wanted:
            return False
    return True


def recount(prog: Programme, rule: Indicator, start: dt.date, end: dt.date) -> dict[str, Any]:
    data = [r for r in rows(prog, rule.source) if start <= r["date"] <= end and matches(r, rule.filters)]
    total = 0
    sex_age: Counter[str] = Counter()
    by_org: Counter[int] = Counter()
    by_loc: Counter[str] = Counter()
    if rule.measure in {"distinct_persons", "distinct_households"}:
        key = "person" if rule.measure == "distinct_persons" else "household"
        first: dict[int, dict[str, Any]] = {}
        for r in data:
            if r[key] is None:
                continue
            seen = first.get(r[key])
            if seen is None or (r["date"], r["org"], r["loc"]) < (seen["date"], seen["org"], seen["loc"]):
                first[r[key]] = r
        for r in first.values():
            total += 1
            by_org[r["org"]] += 1
            by_loc[r["loc"]] += 1
            if key == "person":
                sex_age[cell(r["sex"], r["adult_on"], r["date"])] += 1
    else:
        for r in data:
            n = r.get("n", 1) if rule.measure == "sum" else 1
            total += n
            by_org[r["org"]] += n
            by_loc[r["loc"]] += n
            if "person" in r:
                sex_age[cell(r["sex"], r["adult_on"], r["date"])] += 1
            elif "cells" in r and rule.measure == "sum":
                for name, k in zip(["woman", "girl", "man", "boy"], r["cells"], strict=True):
                    sex_age[name] += k or 0
                sex_age["unknown_unknown"] += n - sum(k or 0 for k in r["cells"])
    return {
        "total": total,
        "sex_age": {k: v for k, v in sex_age.items() if v},
        "by_organisation": dict(by_org),
        "by_locality": dict(by_loc),
    }


@pytest.mark.parametrize("period", PERIODS, ids=["5-months", "year", "two-years"])
@pytest.mark.parametrize(
    "name",
    [
        "reached",
        "reached_home_bucharest",
        "reached_women_shelter",
        "reached_records",
        "households",
        "visits",
        "survivors_legal",
        "services",
        "outcomes_women",
        "reach",
        "volunteers",
        "items",
    ],
)
def test_the_engine_equals_a_python_recount_of_the_generated_rows(world, name: str, period) -> None:  # type: ignore[no-untyped-def]
    prog, rules = world
    rule = rules[name]
    result = value(rule, *period)
    expected = recount(prog, rule, *period)
    assert expected["total"] > 0, "the generated records must give the rule something to count"
    assert {
        "total": result.total,
        "sex_age": {k: v for k, v in result.sex_age.items() if v},
        "by_organisation": result.by_organisation,
        "by_locality": result.by_locality,
    } == expected


def test_sex_and_age_cells_of_distinct_persons_include_the_unknown_ones(world) -> None:  # type: ignore[no-untyped-def]
    _prog, rules = world
    result = value(rules["reached"], *PERIODS[1])
    assert {"woman", "girl", "man", "boy"} <= {k for k, v in result.sex_age.items() if v}
    assert any(k.startswith("unknown") or k.endswith("unknown") for k, v in result.sex_age.items() if v)
    assert result.unknown > 0


def test_a_report_costs_the_same_queries_whatever_the_number_of_records() -> None:
    orgs = [f.organisation(kind="country_office"), f.organisation()]
    prog = f.programme(*orgs)
    for source, measure in [
        ("persons_reached", "distinct_persons"),
        ("visits", "distinct_households"),
        ("services", "records"),
        ("activities", "sum"),
    ]:
        f.indicator(prog, source, measure)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            build_report(prog, dt.date(2021, 1, 1), dt.date(2021, 12, 31), "en")
        return len(ctx.captured_queries)

    call_command("generate", programme=prog.slug, persons="50", years="1", seed="1", stdout=StringIO())
    few = queries()
    call_command("generate", programme=prog.slug, persons="600", years="1", seed="2", stdout=StringIO())
    assert queries() == few
