"""The Markdown report escapes what people typed: no raw HTML, no links, no structure of its own survives a
Markdown renderer (CommonMark with raw HTML allowed, the most permissive)."""

from __future__ import annotations

import datetime as dt

import pytest
from markdown_it import MarkdownIt

from nextsteps.indicators.models import Indicator
from nextsteps.privacy.consents import publishable
from nextsteps.programmes.models import Milestone, Organisation, PeriodNarrative, Programme
from nextsteps.records.models import Activity, Story
from nextsteps.reports.builder import build_report
from nextsteps.reports.render import md, render

pytestmark = pytest.mark.django_db

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)
SCRIPT = "<script>alert(1)</script>"
LINK = "[x](javascript:alert(1))"


def html_of(programme: Programme) -> str:
    return MarkdownIt("commonmark").render(render(build_report(programme, START, END, "en"), "md"))


def test_a_narrative_with_html_and_a_javascript_link_stays_text(demo: Programme) -> None:
    PeriodNarrative.objects.update_or_create(
        programme=demo,
        start=START,
        end=END,
        language="en",
        defaults={"text": f"Our period.\n{SCRIPT}\n{LINK}\n# Not a heading\n<img src=x onerror=alert(1)>"},
    )
    html = html_of(demo)
    assert "<script" not in html and "<img" not in html
    assert "javascript:" not in html.replace("(javascript:alert(1))", "")
    assert "href=" not in html
    assert "<h1>Not a heading" not in html
    # The text itself is still there for readers, as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[x](javascript:alert(1))" in html


def test_milestones_titles_and_names_of_organisations_stay_text(demo: Programme) -> None:
    milestone = Milestone.objects.filter(programme=demo, date__gte=START, date__lte=END).first()
    assert milestone is not None
    milestone.text_en = f"{LINK} and {SCRIPT}"
    milestone.save()
    indicator = Indicator.objects.filter(pillar__programme=demo).order_by("pk").first()
    assert indicator is not None
    indicator.title_en = "<b>bold</b> | [y](javascript:alert(2))"
    indicator.save()
    Organisation.objects.filter(slug="next-steps-ro").update(name="<i>Office</i> [z](javascript:alert(3))")
    html = html_of(demo)
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "href=" not in html


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("a*b*", "a\\*b\\*"),
        ("1. first", "1\\. first"),
        ("- item", "\\- item"),
        ("x | y", "x \\| y"),
        ("<b>", "&lt;b&gt;"),
        ("Ana & Ion", "Ana &amp; Ion"),
        ("plain text, 3.5 km", "plain text, 3.5 km"),
    ],
)
def test_typed_text_is_escaped_for_markdown(typed: str, escaped: str) -> None:
    assert md(typed) == escaped


def test_sentences_places_and_stories_stay_text(demo: Programme) -> None:
    # Report sentences are typed by coordinators, places and stories by staff: all are escaped too.
    Indicator.objects.filter(pillar__programme=demo, code="volunteers-signed-up").update(
        sentence_en=f"{{value|# volunteer {SCRIPT}|# volunteers {LINK}}} signed up."
    )
    Activity.objects.filter(
        programme=demo, activity_type__notable=True, date__gte=START, date__lte=END
    ).update(locality=f"<b>Bucharest</b> {LINK}")
    story = publishable(Story.objects.filter(programme=demo, date__gte=START, date__lte=END)).first()
    assert story is not None
    story.text_en = f"{SCRIPT}\n# A heading?\n{LINK}"
    story.save()
    html = html_of(demo)
    assert "<script" not in html and "<b>" not in html and "<h1>A heading" not in html
    assert "href=" not in html
    assert "A heading?" in html
    assert (
        "29 volunteers [x](javascript:alert(1)) signed up" in html and "&lt;b&gt;Bucharest&lt;/b&gt;" in html
    )
