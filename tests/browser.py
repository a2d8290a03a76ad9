"""The live server and the browser that every browser test shares: one server process with its own SQLite
database and the demo loaded, and one Chromium, for the whole run (per xdist worker). Starting them takes most
of a browser test's time, so they are a plugin's session fixtures (tests/conftest.py loads it): a test module
that imported them would start its own.

Without Chromium the tests skip, except in CI (CI=true), where a missing browser fails the run. Tests that
change the demo's data pick records no other browser test changes.
"""

from __future__ import annotations

import base64
import json
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
# The environment of each running server (by its address), for tests that run a command against its data.
ENVIRONMENTS: dict[str, dict[str, str]] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread for as long as the browser lives
    # (the whole session here), and Django then refuses every database call of the later, ordinary tests
    # of this worker as "from an async context". They are not async: tell Django so.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
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


# The recovery codes shown at a persona's first sign-in on the shared server: a later sign-in of the same
# persona, in another test, passes the second step with one of them (each works once). An authenticator code
# would do too, but not twice within its 30 seconds.
RECOVERY_CODES: dict[str, list[str]] = {}


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
        RECOVERY_CODES[username] = page.locator("ul.codes li").all_inner_texts()
        page.click("text=" + page.locator("a.button.primary").inner_text())
    elif "/accounts/2fa/verify/" in page.url:
        page.fill("input[name=code]", RECOVERY_CODES[username].pop())
        page.click("main button[type=submit].primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url and "/accounts/2fa/" not in url)
    if "/accounts/password/" in page.url:
        # An account made with a one-time password (`nextsteps user add`) chooses its own first: the same
        # one again here, so that a later sign-in of the same user works alike.
        page.fill("input[name=old_password]", PASSWORD)
        page.fill("input[name=new_password1]", PASSWORD)
        page.fill("input[name=new_password2]", PASSWORD)
        page.click("main button[type=submit].primary")
        page.wait_for_url("**/accounts/password/done/")


def run_in_server(server: str, code: str) -> Any:
    """What `code` (Python run against the server's database, ending by printing JSON) prints, as data: the
    browser tests check what was stored there, which is not the test database of pytest-django."""
    result = subprocess.run(
        [sys.executable, "-m", "nextsteps.manage", "shell", "--no-imports", "-c", code],
        env=ENVIRONMENTS[server],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
