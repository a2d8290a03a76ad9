"""The first look of the demo: the coordinator signs in and lands on a dashboard with figures, each
indicator with its monthly trend and a folded breakdown that opens on a phone-sized screen.

Shares the server and browser of tests/browser.py (a fresh `demo` of its own database). The coordinator
reads Dutch; the test checks figures and structure rather than words.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_fresh_demo_opens_on_a_dashboard_with_figures(page: Any) -> None:
    page.set_default_timeout(10_000)
    sign_in(page, "coordinator")
    page.goto("/")
    actuals = page.locator("li.indicator strong.actual").all_inner_texts()
    assert actuals, "no indicator on the dashboard"
    assert any(re.fullmatch(r"[1-9][\d.]*", text) for text in actuals), actuals
    # Another browser test on the same server may have recorded a round today, which moves the page to this
    # year so far: an indicator with records has bars either way.
    first = page.locator("li.indicator", has=page.locator("svg.sparkline rect.spark-bar")).first
    expect(first).to_be_attached()
    expect(first.locator("svg.sparkline")).to_have_attribute("aria-label", re.compile(r"\d"))
    details = first.locator("details.breakdown")
    expect(details.locator("table").first).not_to_be_visible()
    details.locator("summary").click()
    expect(details.locator("table").first).to_be_visible()
    expect(details.locator("td").first).to_have_text(re.compile(r"\d"))
