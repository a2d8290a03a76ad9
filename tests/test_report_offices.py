"""The report's country office sections: one per office, even when two offices work in one country."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from nextsteps.programmes.models import Milestone
from nextsteps.records import actions
from nextsteps.reports.builder import build_report
from nextsteps.reports.render import render
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = dt.date(2021, 3, 1)


def visits(prog: Any, org: Any, count: int) -> None:
    for _n in range(count):
        f.visit(prog, org, DAY, f.person(org))


def milestone(prog: Any, org: Any, text: str) -> None:
    actions.create_record(
        Milestone, acting_user=None, programme=prog, organisation=org, date=DAY, text_en=text
    )


@pytest.fixture
def world() -> dict[str, Any]:
    orgs = {
        "cluj": f.organisation("Office Cluj", country="RO", kind="country_office"),
        "iasi": f.organisation("Office Iasi", country="RO", kind="country_office"),
        "hague": f.organisation("Office The Hague", country="NL", kind="country_office"),
        "ro-partner": f.organisation("Partner in Romania", country="RO"),
        "nl-partner": f.organisation("Partner in the Netherlands", country="NL"),
    }
    prog = f.programme(*orgs.values())
    f.indicator(prog, "persons_reached", "records", title_en="People reached")
    for key, count in {"cluj": 2, "iasi": 3, "hague": 1, "ro-partner": 7, "nl-partner": 4}.items():
        visits(prog, orgs[key], count)
    milestone(prog, orgs["iasi"], "Iasi opened a drop-in centre.")
    milestone(prog, orgs["ro-partner"], "The Romanian partner started a school programme.")
    milestone(prog, orgs["nl-partner"], "The Dutch partner trained the police.")
    return {"prog": prog, "orgs": orgs}


def test_two_offices_in_one_country_each_have_a_section_with_their_own_figures(world: dict[str, Any]) -> None:
    report = build_report(world["prog"], DAY, DAY, "en")
    sections = {o.name: o for o in report.offices}
    assert list(sections) == ["Office Cluj", "Office Iasi", "Office The Hague"]
    assert [o.country for o in report.offices] == ["Romania", "Romania", "the Netherlands"]
    figures = {name: [(line.title, line.value) for line in o.lines] for name, o in sections.items()}
    # A partner's records belong to its country's office when there is only one there: the Dutch partner's
    # 4 are The Hague's. Romania has two offices, so the Romanian partner's 7 belong to neither.
    assert figures == {
        "Office Cluj": [("People reached", 2)],
        "Office Iasi": [("People reached", 3)],
        "Office The Hague": [("People reached", 5)],
    }
    assert report.lines[0].value.total == 17
    assert [m.text for m in sections["Office Iasi"].milestones] == ["Iasi opened a drop-in centre."]
    assert [m.text for m in sections["Office The Hague"].milestones] == [
        "The Dutch partner trained the police."
    ]
    assert [m.text for m in report.milestones] == ["The Romanian partner started a school programme."]


def test_every_format_names_each_office(world: dict[str, Any]) -> None:
    report = build_report(world["prog"], DAY, DAY, "en")
    markdown = render(report, "md")
    assert "## Office Cluj (Romania)" in markdown and "## Office Iasi (Romania)" in markdown
    offices = json.loads(render(report, "json"))["offices"]
    orgs = world["orgs"]
    assert [(o["name"], o["organisation"], o["country"]) for o in offices] == [
        ("Office Cluj", orgs["cluj"].slug, "Romania"),
        ("Office Iasi", orgs["iasi"].slug, "Romania"),
        ("Office The Hague", orgs["hague"].slug, "the Netherlands"),
    ]
