"""An outreach round in Chromium on a phone-sized screen, as issue #13 asks: outreach.sa chooses the place,
finds last month's households ticked, unticks one, adds one, leaves a household with no one present (the
error lands in the summary at the top, which takes the focus), corrects it and saves. Then the server's
database holds exactly the round that was on the screen.

Shares the server and browser of tests/browser.py. The round is dated 15 January 2022, a day no other browser
test records visits on; the persona works in Romanian, so the test finds elements by name and code.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import run_in_server, sign_in

pytestmark = pytest.mark.browser


def row(page: Any, code: str) -> Any:
    return page.locator("tr.round-row", has=page.locator("label", has_text=re.compile(f"^{code}$")))


def test_a_round_from_last_months_households_with_an_error_at_the_top(page: Any, server: str) -> None:
    page.set_default_timeout(10_000)
    sign_in(page, "outreach.sa")
    site = run_in_server(
        server,
        "import json; from nextsteps.records.models import SiteType; "
        "print(json.dumps(SiteType.objects.get(code='household').pk))",
    )
    page.goto("/visits/round/")
    page.fill("input[name=date]", "2022-01-15")
    page.fill("input[name=locality]", "Bucharest")
    page.select_option("select[name=site_type]", str(site))
    page.click("main button[type=submit].primary")
    page.wait_for_url("**/visits/round/?*locality=Bucharest*")

    # December's households are ticked; the three visited in January are not.
    expect(row(page, "BUC-001").locator("input.round-household")).to_be_checked()
    expect(row(page, "BUC-101").locator("input.round-household")).not_to_be_checked()
    count = page.locator("#round-count")
    expect(count).to_contain_text("67")

    row(page, "BUC-001").locator("input.round-household").uncheck()
    row(page, "BUC-101").locator("input.round-household").check()
    # No one of BUC-002 is ticked as present: refused, with the reason at the top.
    for box in row(page, "BUC-002").locator("input.round-person").all():
        box.uncheck()
    expect(count).to_contain_text("67")
    page.click("main button[type=submit].primary")
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("BUC-002")
    expect(summary).to_be_focused()
    assert summary.bounding_box()["y"] < 740, "the summary is on the first screen"
    # The choices made are still there.
    expect(row(page, "BUC-001").locator("input.round-household")).not_to_be_checked()
    expect(row(page, "BUC-101").locator("input.round-household")).to_be_checked()

    row(page, "BUC-002").locator("input.round-person").first.check()
    page.click("main button[type=submit].primary")
    page.wait_for_url("**/visits/?*")
    expect(page.locator("ul.messages")).to_contain_text("67")

    saved = run_in_server(
        server,
        "import json; from nextsteps.records.models import OutreachVisit; "
        "v = OutreachVisit.objects.filter(date='2022-01-15', organisation__slug='salvation-army-ro'); "
        "print(json.dumps({'codes': sorted(v.values_list('household__code', flat=True)), "
        "'buc002': v.get(household__code='BUC-002').persons.count()}))",
    )
    assert len(saved["codes"]) == 67
    assert "BUC-001" not in saved["codes"] and "BUC-101" in saved["codes"]
    assert saved["buc002"] == 1


def test_select_all_and_none_tick_every_household_and_the_count_follows(page: Any, server: str) -> None:
    page.set_default_timeout(10_000)
    sign_in(page, "outreach.sa")
    site = run_in_server(
        server,
        "import json; from nextsteps.records.models import Household, SiteType; print(json.dumps(["
        "SiteType.objects.get(code='household').pk, "
        "Household.objects.filter(organisation__slug='salvation-army-ro', locality='Bucharest').count()]))",
    )
    page.goto(f"/visits/round/?date=2022-02-20&locality=Bucharest&site_type={site[0]}")
    boxes = page.locator("input.round-household")
    count = page.locator("#round-count")
    page.click("button[data-select=none]")
    expect(page.locator("input.round-household:checked")).to_have_count(0)
    expect(count).to_contain_text(": 0,")
    page.click("button[data-select=all]")
    expect(page.locator("input.round-household:checked")).to_have_count(boxes.count())
    expect(count).to_contain_text(f": {site[1]},")


def test_the_people_chosen_in_the_picker_are_counted_and_unticking_uncounts_them(
    page: Any, server: str
) -> None:
    page.set_default_timeout(10_000)
    sign_in(page, "outreach.sa")
    site, *people = run_in_server(
        server,
        "import json; from nextsteps.records.models import Person, SiteType; "
        "ps = Person.objects.filter(organisation__slug='salvation-army-ro').order_by('pk')[:2]; "
        "print(json.dumps([SiteType.objects.get(code='household').pk, *[[p.pk, p.code] for p in ps]]))",
    )
    page.goto(f"/visits/round/?date=2022-02-20&locality=Bucharest&site_type={site}")
    count = page.locator("#round-count")
    page.click("button[data-select=none]")
    expect(count).to_have_text(re.compile(r": 0\D+: 0\.$"))
    for number, (pk, code) in enumerate(people, start=1):
        page.locator("#id_persons").fill(code)
        page.locator(f"#id_persons_options [role=option][data-value='{pk}']").click()
        expect(page.locator(f"#id_persons_chosen input[value='{pk}']")).to_be_checked()
        # Chosen without any change event (the picker adds them to its list): counted all the same.
        expect(count).to_have_text(re.compile(rf": 0\D+: {number}\.$"))
    page.locator(f"#id_persons_chosen input[value='{people[0][0]}']").uncheck()
    expect(count).to_have_text(re.compile(r": 0\D+: 1\.$"))
