"""The menu in a browser: folded behind a button on a phone, closed by Escape (focus back on the button) and
by a click outside; on a desktop the navigation is there without a click."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_on_a_phone_the_menu_opens_and_closes_on_escape_and_on_a_click_outside(page: Any) -> None:
    sign_in(page, "viewer")
    button = page.locator("button.menu-toggle")
    nav = page.locator("#site-nav")
    expect(button).to_be_visible()
    expect(nav).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")

    button.click()
    expect(nav).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    nav.locator("a[href='/reports/']").focus()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()

    button.click()
    expect(nav).to_be_visible()
    page.locator("main h1").first.click()
    expect(nav).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")


def test_on_a_desktop_the_navigation_is_visible_without_a_click(page: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "viewer")
    expect(page.locator("button.menu-toggle")).to_be_hidden()
    current = page.locator("#site-nav a[aria-current=page]")
    expect(current).to_be_visible()
    expect(current).to_have_attribute("href", "/")
    expect(page.locator("#site-nav a[href='/reports/']")).to_be_visible()
    # Nothing runs sideways off a phone's screen either (checked here at 360 px after the desktop).
    page.set_viewport_size({"width": 360, "height": 740})
    for url in ("/", "/reports/", "/api-tokens/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
