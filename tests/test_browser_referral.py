"""A referral end to end in Chromium: the Dutch office's coordinator refers two cases to IJM Romania for
return assistance and legal support, recording the missing consent to share where the refer page asks for
it; caseworker.ijm finds both in the Referrals inbox, accepts one and records the two services on it, and
declines the other, after which IJM reaches neither that referral nor its case (404). The programme's report
for the period, built by nextsteps.reports.builder in the server, counts the survivor once, for IJM.

Shares the server and browser of tests/browser.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import run_in_server, sign_in

pytestmark = pytest.mark.browser

# The demo's line "survivors helped with return and legal support": distinct survivors with either service.
INDICATOR = "survivors-return-legal"

FACTS = f"""
import datetime as dt, json
INDICATOR = {INDICATOR!r}
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records.models import Case, ServiceType
from nextsteps.reports.builder import build_report
today = dt.date.today()
report = build_report(Programme.objects.get(slug="next-steps"), today.replace(month=1, day=1), today, "en")
line = next(line for line in report.lines if line.indicator.code == INDICATOR)
ijm = Organisation.objects.get(slug="ijm-ro")
print(json.dumps({{
    "cases": {{c.person.code: c.pk for c in Case.objects.filter(organisation__slug="next-steps-nl", status="open")}},
    "services": {{s.code: s.pk for s in ServiceType.objects.filter(code__in=["return_assistance", "legal_support"])}},
    "ijm": ijm.pk,
    "total": line.value.total,
    "for_ijm": line.value.by_organisation.get(ijm.pk, 0),
}}))
"""


def refer(page: Any, case: int, facts: dict[str, Any], message: str) -> int:
    """Refer a case to IJM for both services from its page; record the consent to share if it is missing."""
    page.goto(f"/cases/{case}/file/")
    page.click(f"#referrals a[href='/cases/{case}/refer/']")
    for attempt in range(2):
        page.select_option("select[name=to_organisation]", str(facts["ijm"]))
        for pk in facts["services"].values():
            page.check(f"input[name=services][value='{pk}']")
        page.select_option("select[name=reason]", "return")
        page.fill("textarea[name=message]", message)
        page.click("main button[type=submit].primary")
        page.wait_for_load_state()
        if re.search(r"/referrals/\d+/$", page.url):
            return int(page.url.rstrip("/").split("/")[-1])
        assert attempt == 0, "the referral was refused after the consent was recorded"
        # Refused for the missing consent: the page offers to record exactly that one.
        page.click("main a.button[href*='/consents/']")
        expect(page.locator("select[name=shared_with]")).to_have_value(str(facts["ijm"]))
        expect(page.locator("select[name=purpose]")).to_have_value("sharing")
        page.click("main button[type=submit].primary")
        page.wait_for_url(re.compile(r"/consents/$"))
        page.goto(f"/cases/{case}/refer/")
    raise AssertionError("unreachable")


def test_a_referral_from_the_dutch_office_to_ijm_romania(browser: Any, server: str) -> None:
    facts = run_in_server(server, FACTS)
    # Two of the Dutch office's survivors that IJM has no case of: the demo's own referrals accepted
    # NEX-0012's; the accessibility test refers NEX-0010.
    accepted_case, declined_case = facts["cases"]["NEX-0013"], facts["cases"]["NEX-0011"]
    contexts = [
        browser.new_context(base_url=server, viewport={"width": 1366, "height": 900}) for _ in range(2)
    ]
    try:
        coordinator, ijm = (context.new_page() for context in contexts)
        for page in (coordinator, ijm):
            page.set_default_timeout(10_000)
        sign_in(coordinator, "coordinator")
        accepted = refer(coordinator, accepted_case, facts, "She wants to go home to Iași.")
        declined = refer(coordinator, declined_case, facts, "He needs a lawyer in Romania.")

        # IJM's inbox lists both, waiting for an answer.
        sign_in(ijm, "caseworker.ijm")
        if not ijm.locator("nav a[href='/referrals/']").is_visible():
            ijm.click("button.menu-toggle")
        ijm.click("nav a[href='/referrals/']")
        waiting = ijm.locator("main section").first
        for pk in (accepted, declined):
            expect(waiting.locator(f"a[href='/referrals/{pk}/']")).to_have_count(1)

        # Accepted, with return assistance and legal support recorded on it.
        ijm.click(f"a[href='/referrals/{accepted}/']")
        ijm.click(f"a[href='/referrals/{accepted}/accept/']")
        ijm.click("main button[type=submit].primary")
        ijm.wait_for_url(f"**/referrals/{accepted}/")
        for pk in facts["services"].values():
            ijm.click(f"a[href='/referrals/{accepted}/service/']")
            ijm.select_option("select[name=service_type]", str(pk))
            ijm.click("main button[type=submit].primary")
            ijm.wait_for_url(f"**/referrals/{accepted}/")
        expect(ijm.locator("main section").last.locator("li")).to_have_count(2)
        # The case is readable to IJM now, as the referral needs.
        assert ijm.goto(f"/cases/{accepted_case}/").status == 200

        # Declined with a reason: IJM then reaches neither the referral nor the case.
        ijm.goto(f"/referrals/{declined}/")
        ijm.click(f"a[href='/referrals/{declined}/decline/']")
        ijm.fill("textarea[name=reason]", "No lawyer of ours is free this month.")
        ijm.click("main button[type=submit].primary")
        ijm.wait_for_load_state()
        for path in (f"/referrals/{declined}/", f"/cases/{declined_case}/", f"/cases/{declined_case}/file/"):
            assert ijm.goto(path).status == 404, path

        # The sender sees both answers.
        coordinator.goto(f"/referrals/{declined}/")
        expect(coordinator.locator("main")).to_contain_text("No lawyer of ours is free this month.")
    finally:
        for context in contexts:
            context.close()

    after = run_in_server(server, FACTS)
    # Two services for one survivor: counted once, for the organisation that delivered them.
    assert after["total"] == facts["total"] + 1
    assert after["for_ijm"] == facts["for_ijm"] + 1
