"""A record list in Chromium: on a phone the filters are folded away until used; a click on a header sorts
the list (and a second one reverses it); the CSV and XLSX downloads hold the sorted, filtered list with a
formula-looking code written as text. On a wide screen the filters show without unfolding them.

Shares the server and browser of tests/browser.py; the persona works in Romanian, so the test finds links by
their address and checks texts it typed itself.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser import run_in_server, sign_in

pytestmark = pytest.mark.browser

CODES = ["ZZB-2", "=ZZB+1", "ZZB-1"]


def serious_problems(page: Any) -> list[str]:
    """axe-core's violations of impact serious or critical (as tests/test_browser_case_accessibility.py)."""
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def scrolls_sideways(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


def test_sort_a_list_by_its_header_and_download_it(page: Any, server: str, tmp_path: Path) -> None:
    page.set_default_timeout(10_000)
    run_in_server(
        server,
        "import json\n"
        "from nextsteps.programmes.models import Organisation\n"
        "from nextsteps.records import actions\n"
        "from nextsteps.records.models import Person\n"
        "sa = Organisation.objects.get(slug='salvation-army-ro')\n"
        f"for code in {CODES!r}:\n"
        "    actions.create_record(Person, acting_user=None, organisation=sa, code=code, sex='female')\n"
        "print(json.dumps(True))",
    )
    sign_in(page, "caseworker.sa")
    page.goto("/persons/")

    # On a phone the first screen shows records: the filters are folded away until asked for.
    search = page.locator("form.filters input[name=q]")
    expect(search).to_be_hidden()
    expect(page.locator("main table tbody tr").first).to_be_in_viewport()
    page.click("details.filters-fold summary")
    search.fill("ZZB")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/persons/?*q=ZZB*")
    expect(search).to_be_visible()  # active filters stay unfolded

    # A click on the code's header sorts by it, another one reverses the order; the search stays.
    code_header = page.locator("main th").first
    code_header.locator("a.sort").click()
    page.wait_for_url(re.compile(r"sort=code"))
    expect(code_header).to_have_attribute("aria-sort", "ascending")
    first_cells = page.locator("main table tbody tr td:first-child")
    expect(first_cells).to_have_text(["=ZZB+1", "ZZB-1", "ZZB-2"])
    code_header.locator("a.sort").click()
    page.wait_for_url(re.compile(r"sort=-code"))
    expect(code_header).to_have_attribute("aria-sort", "descending")
    expect(first_cells).to_have_text(["ZZB-2", "ZZB-1", "=ZZB+1"])
    assert serious_problems(page) == [] and not scrolls_sideways(page)

    # The downloads hold that list, in that order, the formula-looking code as text.
    with page.expect_download() as csv_download:
        page.click("a[href*='format=csv']")
    csv_path = tmp_path / "persons.csv"
    csv_download.value.save_as(csv_path)
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["ZZB-2", "ZZB-1", "'=ZZB+1"]
    with page.expect_download() as xlsx_download:
        page.click("a[href*='format=xlsx']")
    xlsx_path = tmp_path / "persons.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    sheet = load_workbook(xlsx_path).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == ["ZZB-2", "ZZB-1", "=ZZB+1"]
    assert cells[2].data_type == "s"

    # On a wide screen the filters show without unfolding them.
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto("/persons/?clear=1")
    expect(page.locator("details.filters-fold")).not_to_have_attribute("open", "")
    expect(search).to_be_visible()
    expect(page.locator("details.filters-fold summary")).to_be_hidden()
    assert serious_problems(page) == []
