"""The demo's report reproduces every figure of the programme's hand-written 2021 report."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from nextsteps.indicators import counted
from nextsteps.indicators.models import Indicator
from nextsteps.programmes.models import Programme
from nextsteps.records.models import Activity
from nextsteps.reports.builder import build_report
from nextsteps.reports.render import render

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)

EXPECTED = {
    "nl": {
        "heading": "Pijler",
        1: [
            "13 slachtoffers van mensenhandel kregen hulp bij hun terugkeer en juridische bijstand",
            "29 nieuwe vrijwilligers",
            "67 gezinnen in arme wijken van Boekarest",
            "23 vrouwen, 20 meisjes, 50 mannen en 15 jongens",
            "In Oradea bereikten we 5 vrouwen die in de daklozenopvang wonen",
            "uit de prostitutie stapten: 1.",
            "opleiding voort te zetten: 2.",
            "160 cadeaus",
        ],
        2: ["18 oktober 2021, Oradea", "Conferentie"],
        3: ["10 preventie- en bewustwordingsactiviteiten", "633 mensen"],
        "exceeded": [
            "Slachtoffers geholpen bij terugkeer en juridisch",
            "Nieuwe vrijwilligers",
            "Bereik van preventie",
        ],
    },
    "en": {
        "heading": "Pillar",
        1: [
            "13 trafficking survivors were helped to return home and given legal support",
            "29 new volunteers signed up",
            "67 families in poor neighbourhoods of Bucharest",
            "23 women, 20 girls, 50 men and 15 boys",
            "In Oradea we reached 5 women who live in shelters for homeless people",
            "left prostitution with our support: 1.",
            "continue their education: 2.",
            "160 gifts",
        ],
        2: ["18 October 2021, Oradea", "Conference"],
        3: ["10 prevention and awareness activities", "633 people"],
        "exceeded": [
            "Survivors helped to return and with legal support",
            "New volunteers",
            "People reached by prevention",
        ],
    },
}


def sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    return {part.splitlines()[0]: part for part in parts}


def pillar_section(text: str, heading: str, number: int) -> str:
    matches = [body for title, body in sections(text).items() if title.startswith(f"{heading} {number}:")]
    assert len(matches) == 1, f"no single section for {heading} {number}"
    return matches[0]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_it_puts_every_seed_figure_in_its_pillar(demo: Programme, lang: str) -> None:
    text = render(build_report(demo, START, END, lang), "md")
    expected = EXPECTED[lang]
    for number in (1, 2, 3):
        body = pillar_section(text, str(expected["heading"]), number)
        for phrase in expected[number]:  # type: ignore[attr-defined]
            assert phrase in body, f"{phrase!r} missing from pillar {number} of the {lang} report"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_its_conclusion_names_exactly_the_three_exceeded_targets(demo: Programme, lang: str) -> None:
    report = build_report(demo, START, END, lang)
    assert [line.title for line in report.exceeded] == EXPECTED[lang]["exceeded"]
    conclusion = next(
        body for title, body in sections(render(report, "md")).items() if title in {"Conclusie", "Conclusion"}
    )
    for title in EXPECTED[lang]["exceeded"]:  # type: ignore[union-attr]
        assert title in conclusion
    not_exceeded = [line.title for line in report.lines if line not in report.exceeded]
    assert not any(f"- {title}\n" in conclusion for title in not_exceeded)


def test_the_title_names_the_period_in_the_reports_language(demo: Programme) -> None:
    assert "augustus 2021 – december 2021" in build_report(demo, START, END, "nl").title
    assert "August 2021 – December 2021" in build_report(demo, START, END, "en").title
    assert "august 2021 – decembrie 2021" in build_report(demo, START, END, "ro").title


def test_it_shows_only_stories_with_consent_to_publish(demo: Programme) -> None:
    report = build_report(demo, START, END, "en")
    assert [s.text for s in report.stories] == [
        "After a sewing course she now has paid work in a sewing workshop."
    ]


def test_each_country_office_has_a_section(demo: Programme) -> None:
    report = build_report(demo, START, END, "en")
    offices = {o.country: o for o in report.offices}
    assert set(offices) == {"Romania", "the Netherlands"}
    nl_lines = {line.title: line.value for line in offices["the Netherlands"].lines}
    assert nl_lines["Survivors helped to return and with legal support"] == 4
    assert offices["the Netherlands"].milestones


def test_the_report_costs_a_fixed_number_of_queries_per_indicator(
    demo: Programme, django_assert_max_num_queries: object
) -> None:
    indicators = demo.pillars.all()[0].programme.pillars.values_list("indicators", flat=True).count()
    # One more for each distinct rule with counted rows: its rows' state and dirty keys (indicators/counted.py).
    kept = sum(counted.kept(i) for i in Indicator.objects.filter(pillar__programme=demo))
    with django_assert_max_num_queries(indicators + kept + 12):  # type: ignore[operator]
        build_report(demo, START, END, "nl")


def test_a_period_without_records_reports_zeros(demo: Programme) -> None:
    report = build_report(demo, dt.date(2030, 1, 1), dt.date(2030, 3, 31), "en")
    assert all(line.value.total == 0 for line in report.lines)
    assert all(line.status == "no_target" for line in report.lines)


@pytest.mark.parametrize("lang", ["nl", "en", "ro"])
def test_events_are_told_in_the_reports_language_without_their_one_language_titles(
    demo: Programme, lang: str
) -> None:
    notable = Activity.objects.filter(
        programme=demo, date__gte=START, date__lte=END, activity_type__notable=True
    ).select_related("activity_type")
    titles = {activity.title for activity in notable}
    assert "Capacity-building conference on human trafficking" in titles  # the demo writes them in English
    report = build_report(demo, START, END, lang)
    for fmt in ("md", "html", "json"):
        text = render(report, fmt)
        assert not [title for title in titles if title in text], fmt
    conference = next(a for a in notable if a.date == dt.date(2021, 10, 18))
    sentence = next(e.sentence() for p in report.pillars for e in p.events if e.date == conference.date)
    assert conference.activity_type.label(lang) in sentence
    assert conference.participant_groups.all()[0].label(lang) in sentence
