"""End to end in Debian's Chromium: a coordinator signs in, records an outreach round, sees the dashboard
move, switches to Romanian and downloads the report.

The app runs as a real server in its own process with its own SQLite database and the demo loaded, so the
browser sees exactly what `make demo` serves (tests/browser.py: the server and browser every browser test
shares).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def figure(page: Any, code: str) -> int:
    # This programme year so far, where the round lands: the dashboard would otherwise open on the demo's
    # latest year with records before the round, and on this year after it.
    page.goto("/?period=year")
    return int(page.locator(f"[data-code='{code}'] .actual").inner_text().replace(".", "").replace(",", ""))


def test_a_coordinator_records_a_round_and_sees_the_dashboard_change(page: Any) -> None:
    page.set_default_timeout(10_000)
    sign_in(page, "coordinator")
    before = figure(page, "family-members-supported")
    # The round's first step: the place (today, the default date, lies in this programme year).
    page.goto("/visits/round/")
    if page.locator("select[name=organisation]").count():
        page.select_option("select[name=organisation]", index=1)
    page.fill("input[name=locality]", "Bucharest")
    page.select_option("select[name=site_type]", label="Huishouden")
    page.click("main button[type=submit].primary")
    page.wait_for_url("**/visits/round/?*locality=Bucharest*")
    # The second step: no household of last month ticked, three people met for the first time.
    for box in page.locator("input.round-household:checked").all():
        box.uncheck()
    for i, (sex, year) in enumerate([("female", "1988"), ("female", "2011"), ("male", "2009")]):
        page.fill(f"input[name=new-{i}-code]", f"NL-BROWSER-{i}")
        page.select_option(f"select[name=new-{i}-sex]", sex)
        page.fill(f"input[name=new-{i}-birth_year]", year)
    expect(page.locator("#round-count")).to_contain_text("3")
    page.click("main button[type=submit].primary")
    page.wait_for_url("**/visits/?*")
    assert figure(page, "family-members-supported") == before + 3


def test_switching_to_romanian_and_downloading_the_report(page: Any) -> None:
    sign_in(page, "viewer")
    page.click("button.menu-toggle")
    page.select_option("#language-select", "ro")
    page.click("#language-select ~ button")
    expect(page.locator("html")).to_have_attribute("lang", "ro")
    assert "Pilonul 1" in page.content()
    page.goto("/reports/")
    page.fill("input[name=date_from]", "2021-08-01")
    page.fill("input[name=date_to]", "2021-12-31")
    page.select_option("select[name=format]", "md")
    with page.expect_download() as info:
        page.click("button[formaction]")
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "august 2021 – decembrie 2021" in text
    assert "Au avut loc 10 activități de prevenire și conștientizare." in text


def test_the_api_docs_page_works_from_the_apps_own_files_under_its_strict_policy(page: Any) -> None:
    # The page fixture fails the test on any request outside the app; the policy's refusals are console
    # errors ("Refused to load …"), so a docs page that needed a CDN or inline code would show them here.
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock-summary").first).to_be_visible()
    assert page.locator(".opblock-summary").count() > 50
    assert refused == []
