"""A refused form in a browser: the error summary at the top takes the focus, and a checkbox's label reads
as plain text."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_the_error_summary_takes_the_focus_and_links_to_the_field(page: Any) -> None:
    sign_in(page, "caseworker.ijm")
    page.goto("/cases/new/")
    consent = page.locator("label.check").first
    assert consent.evaluate("label => getComputedStyle(label).fontWeight") == "400"
    page.goto("/persons/new/")
    page.fill("input[name=nationality]", "XX")
    page.click("main button[type=submit].primary")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.locator("a[href='#id_nationality']").click()
    expect(page.locator("#id_nationality")).to_be_focused()
