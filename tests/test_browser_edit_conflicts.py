"""No lost updates, end to end in Chromium: two caseworkers of IJM Romania edit the same case in two browser
sessions. One closes it; the other, whose form still says "open", saves a correction: refused with who
changed what, the closure kept, and the correction still on the form to apply again. The same for a
follow-up of the case file: one marks it done, the other's new text is refused and kept on the form.

Shares the server and browser of tests/browser.py (the same skips apply without Chromium).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import ENVIRONMENTS, PASSWORD, sign_in

pytestmark = pytest.mark.browser


def add_caseworker(server: str, username: str) -> str:
    """Another caseworker of IJM Romania, beside the demo's caseworker.ijm, added as an administrator would."""
    env = {**ENVIRONMENTS[server], "NEXTSTEPS_NEW_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "nextsteps.manage", "user", "add", username]
    options = ["--organisation", "ijm-ro", "--role", "caseworker", "--user-language", "en"]
    subprocess.run([*command, *options], env=env, check=True, capture_output=True)
    return username


@pytest.fixture(scope="module")
def second_caseworker(server: str) -> str:
    return add_caseworker(server, "ana.ijm")


@pytest.fixture(scope="module")
def two_more_caseworkers(server: str) -> tuple[str, str]:
    # Signing in again would ask for a code of the authenticator linked at the first sign-in: new people.
    return add_caseworker(server, "ion.ijm"), add_caseworker(server, "eva.ijm")


@pytest.fixture
def two_sessions(browser: Any, server: str) -> Iterator[tuple[Any, Any]]:
    contexts = [
        browser.new_context(base_url=server, viewport={"width": 1000, "height": 900}) for _ in range(2)
    ]
    yield contexts[0].new_page(), contexts[1].new_page()
    for context in contexts:
        context.close()


def first_case_path(page: Any) -> str:
    page.goto("/cases/")
    # One of IJM's own demo cases: on the shared server another test may have added newer ones (the case an
    # accepted referral opens for a person of another organisation).
    own = page.locator("table tbody tr", has_text="IJM-")
    href = own.locator("a[href^='/cases/']").first.get_attribute("href")
    assert href and re.fullmatch(r"/cases/\d+/", href)
    return str(href)


def test_the_second_of_two_sessions_cannot_reopen_a_case_the_first_just_closed(
    two_sessions: tuple[Any, Any], second_caseworker: str
) -> None:
    ana, mine = two_sessions
    sign_in(ana, second_caseworker)
    sign_in(mine, "caseworker.ijm")
    case = first_case_path(mine)
    # Both open the same case's form.
    ana.goto(case + "edit/")
    mine.goto(case + "edit/")
    opened = dt.date.fromisoformat(mine.input_value("input[name=opened]"))

    # Ana closes the case.
    closed_on = dt.date.today().isoformat()
    ana.select_option("select[name=status]", "closed")
    ana.fill("input[name=closed]", closed_on)
    ana.select_option("select[name=closure_reason]", index=1)
    ana.click("button[type=submit].primary")
    ana.wait_for_url(f"**{case}")

    # caseworker.ijm, whose form was opened before, corrects the opening date and saves (a day later: a day
    # earlier would fall before the person's consent for services, which the form checks first).
    corrected = (opened + dt.timedelta(days=1)).isoformat()
    mine.fill("input[name=opened]", corrected)
    mine.click("button[type=submit].primary")
    expect(mine.locator("[data-error-summary]").first).to_contain_text("ana.ijm")
    assert mine.url.endswith(case + "edit/")
    # Their correction is still on the form, and what Ana saved is shown beside it.
    assert mine.input_value("input[name=opened]") == corrected
    expect(mine.locator(".stale-values")).to_be_visible()

    # The closure stands.
    ana.goto(case)
    expect(ana.locator("main")).to_contain_text("closed")

    # Applying the correction again keeps Ana's closure when the form now says so.
    mine.select_option("select[name=status]", "closed")
    mine.fill("input[name=closed]", closed_on)
    mine.select_option("select[name=closure_reason]", index=1)
    mine.click("button[type=submit].primary")
    mine.wait_for_url(f"**{case}")
    ana.goto(case + "edit/")
    assert ana.input_value("input[name=opened]") == corrected
    assert ana.input_value("select[name=status]") == "closed"


def test_the_second_of_two_sessions_editing_a_follow_up_is_refused_and_keeps_its_text(
    two_sessions: tuple[Any, Any], two_more_caseworkers: tuple[str, str]
) -> None:
    ion, eva = two_sessions
    sign_in(ion, two_more_caseworkers[0])
    sign_in(eva, two_more_caseworkers[1])
    eva.goto("/cases/mine/?scope=organisation")
    case_file = str(eva.locator("table a[href$='/file/']").first.get_attribute("href"))
    today = dt.date.today().isoformat()
    eva.goto(case_file.removesuffix("file/") + "follow-ups/new/")
    eva.fill("textarea[name=what]", "Call the shelter about a bed")
    eva.fill("input[name=due]", today)
    eva.click("button[type=submit].primary")
    eva.wait_for_url(f"**{case_file}")
    edit = eva.locator("li", has_text="Call the shelter about a bed").locator("a[href$='/edit/']")
    follow_up = str(edit.get_attribute("href"))

    # Both open the follow-up; Ion marks it done, then Eva saves a new text from the older form.
    ion.goto(follow_up)
    eva.goto(follow_up)
    ion.fill("input[name=done]", today)
    ion.click("button[type=submit].primary")
    ion.wait_for_url(f"**{case_file}*")
    eva.fill("textarea[name=what]", "Call the shelter about two beds")
    eva.click("button[type=submit].primary")
    expect(eva.locator("[data-error-summary]").first).to_contain_text(two_more_caseworkers[0])
    assert eva.input_value("textarea[name=what]") == "Call the shelter about two beds"
    expect(eva.locator(".stale-values")).to_be_visible()

    # Ion's "done" stands, and the text was not overwritten.
    ion.goto(follow_up)
    assert ion.input_value("input[name=done]") == today
    assert ion.input_value("textarea[name=what]") == "Call the shelter about a bed"
