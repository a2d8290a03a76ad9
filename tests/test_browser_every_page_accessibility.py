"""Accessibility of every page, for a persona of each role, at 1366 and 360 pixels wide.

Each persona signs in and follows the links of the app from its landing page, as far as they go, looking at
each kind of page once (pages that differ only in a record's number are one kind: /persons/12/ and
/persons/31/). On every page, axe-core (run by axe-playwright-python, which bundles it) finds no violation of
impact serious or critical, at either width, and at 360 pixels the page does not scroll sideways. A page that a
link leads to answers 200.

The crawl, not a list of addresses, is what makes it "every page": a page added to the app and linked from
anywhere a role can reach is checked for that role without touching this test. Files (downloads, exports, the
API) and the Django admin (Django's own pages, for set-up) are left out.

Shares the server and browser of tests/browser.py.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser import sign_in

pytestmark = pytest.mark.browser

AXE = Axe()

# A persona of each role (tests/conftest.py's demo personas).
PERSONAS = [
    "coordinator",
    "caseworker.ijm",
    "outreach.sa",
    "volunteers.dorcas",
    "prevention.dorcas",
    "dpo",
    "viewer",
    "admin",
]
# Not pages: files, the API, Django's admin, signing out, and the static files.
NOT_PAGES = re.compile(
    r"^/(api|admin|static|media)/|/(download|export|exports)(/|$)|\.(csv|xlsx|pdf|docx|json|md|xml|txt)$"
    r"|/accounts/logout/|/attachments/\d+/$"
)
# Query parameters that make a file of a page, or only page through it.
FILE_QUERIES = re.compile(r"(^|&)(format|download|export)=")
# Enough for every kind of page of the richest role with room to grow, and a bound if a page links endlessly.
MAX_PAGES = 150


# Query parameters that only page through a list or order it: not another kind of page.
SAME_PAGE = {"page", "sort"}


def page_kind(link: str) -> str:
    """/cases/12/file/ and /cases/31/file/ are one kind of page; so are a list's pages and sort orders. A
    query that asks for something else (a report for a period, a filtered list) is another kind."""
    url = urlsplit(link)
    names = sorted({part.split("=")[0] for part in url.query.split("&") if part} - SAME_PAGE)
    return re.sub(r"/\d+(?=/|$)", "/#", url.path) + ("?" + "&".join(names) if names else "")


def serious_problems(page: Any) -> list[str]:
    violations = AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(node['target']) for node in v['nodes'][:3])}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def links_of(page: Any, server: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urlsplit(urljoin(page.url, href))
        if f"{url.scheme}://{url.netloc}" != server or NOT_PAGES.search(url.path):
            continue
        if url.query and FILE_QUERIES.search(url.query):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def check_page(page: Any) -> list[str]:
    problems = [f"at 1366 px: {p}" for p in serious_problems(page)]
    page.set_viewport_size({"width": 360, "height": 740})
    problems += [f"at 360 px: {p}" for p in serious_problems(page)]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 360:
        problems.append(f"at 360 px the page is {width} px wide")
    page.set_viewport_size({"width": 1366, "height": 900})
    return problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_a_role_reaches_has_no_serious_accessibility_problem(
    browser: Any, server: str, persona: str
) -> None:
    context = browser.new_context(base_url=server, viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, persona)
        start = urlsplit(page.url).path
        queue: deque[str] = deque([start])
        seen_kinds = {page_kind(start)}
        problems: dict[str, list[str]] = {}
        checked = 0
        while queue and checked < MAX_PAGES:
            address = queue.popleft()
            response = page.goto(address)
            checked += 1
            status = response.status if response else None
            if status != 200:
                problems[address] = [f"answered {status}"]
                continue
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            found = check_page(page)
            if found:
                problems[address] = found
            for link in links_of(page, server):
                kind = page_kind(link)
                if kind not in seen_kinds:
                    seen_kinds.add(kind)
                    queue.append(link)
    finally:
        context.close()
    # Signing in lands on a page that links onwards: a crawl of one page would prove nothing.
    assert checked >= 3, f"{persona} reached only {checked} pages"
    assert not queue, f"{persona}: more than {MAX_PAGES} kinds of page; raise MAX_PAGES"
    assert problems == {}, "\n".join(f"{url}: {'; '.join(p)}" for url, p in problems.items())
