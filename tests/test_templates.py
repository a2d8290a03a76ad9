"""Rules every page template keeps: tables scroll inside their own box on a 360-px screen, and no inline
style, which the strict Content-Security-Policy (style-src 'self') would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string

TEMPLATES = sorted((Path(__file__).resolve().parent.parent / "nextsteps").glob("**/templates/**/*.html"))
# Pages of the app and the pieces included in them; documents for download (a person's export) have their
# own layout.
PAGES = [
    t
    for t in TEMPLATES
    if t.name.startswith("_") or '{% extends "base.html" %}' in t.read_text(encoding="utf-8")
]


def test_templates_are_found() -> None:
    assert len(TEMPLATES) > 20 and len(PAGES) > 20


@pytest.mark.parametrize("template", PAGES, ids=lambda p: str(p).split("nextsteps/", 1)[-1])
def test_every_table_is_wrapped_so_that_it_scrolls_instead_of_overflowing(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    for match in re.finditer(r"<table\b", text):
        before = text[: match.start()].rstrip()
        assert re.search(r'<div class="table-wrap"[^>]*>$', before), f"a table at offset {match.start()}"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("nextsteps/", 1)[-1])
def test_no_template_carries_an_inline_style(template: Path) -> None:
    assert not re.search(r"\sstyle\s*=", template.read_text(encoding="utf-8"))


def test_the_error_page_takes_its_look_from_the_apps_stylesheet() -> None:
    html = render_to_string("500.html")
    assert 'href="/static/nextsteps/app.css"' in html
    assert 'class="error-page"' in html


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("nextsteps/", 1)[-1])
def test_no_template_writes_a_record_key_with_a_thousands_separator(template: Path) -> None:
    # With USE_THOUSAND_SEPARATOR a key of 4952 is written "4.952" in Dutch and Romanian: a form sends it
    # back as another value, and an anchor no longer matches the link to it.
    text = template.read_text(encoding="utf-8")
    assert not re.findall(r"\{\{ *[\w.]+\.(?:pk|id) *\}\}", text)
