"""End to end in Debian's Chromium: a coordinator signs in, records an outreach round, sees the dashboard
move, switches to Romanian and downloads the report.

The app runs as a real server in its own process with its own SQLite database and the demo loaded, so the
browser sees exactly what `make demo` serves. Without Chromium the tests skip, except in CI (CI=true),
where a missing browser fails the run.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser-test-password"
pytestmark = pytest.mark.browser
# The environment of each running server (by its address), for tests that run a command against its data.
ENVIRONMENTS: dict[str, dict[str, str]] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}; .ci/run installs it (apt-get install chromium).")
        pytest.skip("Chromium is not installed (apt-get install chromium).")
    data = tmp_path_factory.mktemp("browser-data")
    env = {
        **os.environ,
        "NEXTSTEPS_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'browser.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "nextsteps.settings",
        # Plain HTTP on loopback: cookies cannot be marked secure-only here.
        "NEXTSTEPS_HTTPS": "0",
    }
    manage = [sys.executable, "-m", "nextsteps.manage"]
    subprocess.run([*manage, "init-keys"], env=env, check=True, capture_output=True)
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*manage, "demo", "--no-serve", "--password", PASSWORD], env=env, check=True, capture_output=True
    )
    port = _free_port()
    process = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    ENVIRONMENTS[base] = env
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(
        base_url=server, viewport={"width": 360, "height": 740}, accept_downloads=True
    )
    outside: list[str] = []
    context.on(
        "request", lambda request: None if request.url.startswith(server) else outside.append(request.url)
    )
    page = context.new_page()
    yield page
    context.close()
    assert outside == [], f"pages made requests outside the app: {outside}"


def sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/2fa/setup/" in page.url:
        # First sign-in of a role that sees people: link an authenticator (computed here from the shown key).
        from django_otp.oath import TOTP

        secret = page.locator("code.secret").inner_text()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.fill("input[name=code]", f"{TOTP(key).token():06d}")
        page.click("main button[type=submit]")
        # expect() waits for the answer to the submit; a bare count() can read the old page.
        expect(page.locator("ul.codes li")).to_have_count(10)
        page.click("text=" + page.locator("a.button.primary").inner_text())
    page.wait_for_url("**/")


def figure(page: Any, code: str) -> int:
    page.goto("/")
    return int(page.locator(f"[data-code='{code}'] .actual").inner_text().replace(".", "").replace(",", ""))


def test_a_coordinator_records_a_round_and_sees_the_dashboard_change(page: Any) -> None:
    sign_in(page, "coordinator")
    before = figure(page, "family-members-supported")
    page.goto("/visits/round/")
    page.fill("input[name=locality]", "Bucharest")
    page.select_option("select[name=site_type]", label="Huishouden")
    for i, (sex, year) in enumerate([("female", "1988"), ("female", "2011"), ("male", "2009")]):
        page.fill(f"input[name=new-{i}-code]", f"NL-BROWSER-{i}")
        page.select_option(f"select[name=new-{i}-sex]", sex)
        page.fill(f"input[name=new-{i}-birth_year]", year)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/visits/")
    assert figure(page, "family-members-supported") == before + 3


def test_switching_to_romanian_and_downloading_the_report(page: Any) -> None:
    sign_in(page, "viewer")
    page.click("summary")
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
