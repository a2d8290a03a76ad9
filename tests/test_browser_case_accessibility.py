"""Accessibility of the case pages on a phone and a desktop: My cases, the caseload, the case workspace, each
form of the case file, the referrals inbox and a referral, for a caseworker (IJM Romania) and a coordinator
(Next Steps NL), at 360 and 1366 pixels wide. No page breaks a rule of axe-core (run by
axe-playwright-python, which bundles it) of impact serious or critical, and at 360 pixels no page scrolls
sideways.

Shares the server and browser of tests/browser.py; each persona signs in once and its page is reused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser import run_in_server, sign_in

pytestmark = pytest.mark.browser

AXE = Axe()


def serious_problems(page: Any) -> list[str]:
    """axe-core's violations of impact serious or critical, as "rule: the first elements it names"."""
    violations = AXE.run(page).response["violations"]
    return [
        f"{v['id']}: {', '.join(str(node['target']) for node in v['nodes'][:3])}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


PERSONAS = {"caseworker": "caseworker.ijm", "coordinator": "coordinator"}
PAGES = {
    "my-cases": "/cases/mine/",
    "caseload": "/cases/caseload/",
    "workspace": "/cases/{case}/file/",
    "note": "/cases/{case}/notes/new/",
    "follow-up": "/cases/{case}/follow-ups/new/",
    "follow-up-done": "/follow-ups/{follow_up}/done/",
    "assessment": "/cases/{case}/assessments/new/",
    "goal": "/cases/{case}/goals/new/",
    "planned-action": "/goals/{goal}/actions/new/",
    "service-from-plan": "/planned-actions/{action}/service/",
    "close": "/cases/{case}/close/",
    "reopen": "/cases/{case}/reopen/",
    "assign": "/cases/{case}/assign/",
    "identification": "/cases/{case}/identification/",
    "identification-form": "/cases/{case}/identification/edit/",
    "upload": "/cases/{case}/attachments/",
    "refer": "/cases/{case}/refer/",
    "referrals": "/referrals/",
    "referral": "/referrals/{referral}/",
}
# Coordinators only: a caseworker's caseload is My cases.
COORDINATOR_ONLY = {"caseload"}

# A referral from the Dutch office to IJM waiting for an answer, which both personas see; and for each
# persona an open case of its organisation with an open follow-up and an open planned action.
SETUP = """
import datetime as dt, json
from nextsteps.accounts.models import User
from nextsteps.casework.models import FollowUp, PlannedAction
from nextsteps.privacy.actions import record_consent
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Case, ServiceType
from nextsteps.referrals.actions import send_referral
ijm = Organisation.objects.get(slug="ijm-ro")
case = Case.objects.get(organisation__slug="next-steps-nl", person__code="NEX-0010")
record_consent(acting_user=None, person=case.person, purpose="sharing", given_on=dt.date.today(), shared_with=ijm)
referral = send_referral(
    acting_user=User.objects.get(username="coordinator"), case=case, to_organisation=ijm,
    services=ServiceType.objects.filter(code="legal_support"), reason="specialist", message="Page check.",
)
places = {}
for persona, slug in (("caseworker", "ijm-ro"), ("coordinator", "next-steps-nl")):
    action = PlannedAction.objects.filter(
        goal__case__organisation__slug=slug, goal__case__status="open", status__in=["planned", "in_progress"],
        goal__case__follow_ups__done__isnull=True,
    ).order_by("goal__case__opened", "pk").first()
    case = action.goal.case
    places[persona] = {
        "case": case.pk, "goal": action.goal_id, "action": action.pk, "referral": referral.pk,
        "follow_up": FollowUp.objects.filter(case=case, done__isnull=True).order_by("pk").first().pk,
    }
print(json.dumps(places))
"""


@pytest.fixture(scope="module")
def places(server: str) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = run_in_server(server, SETUP)
    return result


@pytest.fixture(scope="module")
def signed_in(browser: Any, server: str) -> Iterator[dict[str, Any]]:
    """A page per persona, signed in on first use and reused by every page's test."""
    contexts: list[Any] = []
    pages: dict[str, Any] = {}

    def page_of(persona: str) -> Any:
        if persona not in pages:
            context = browser.new_context(base_url=server, viewport={"width": 1366, "height": 900})
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(10_000)
            sign_in(page, PERSONAS[persona])
            pages[persona] = page
        return pages[persona]

    yield {"page_of": page_of}
    for context in contexts:
        context.close()


CASES = [
    pytest.param(persona, name, id=f"{persona}-{name}")
    for persona in PERSONAS
    for name in PAGES
    if persona == "coordinator" or name not in COORDINATOR_ONLY
]


@pytest.mark.parametrize(("persona", "name"), CASES)
def test_the_case_page_has_no_serious_accessibility_problem_and_fits_a_phone(
    signed_in: dict[str, Any], places: dict[str, dict[str, int]], persona: str, name: str
) -> None:
    page = signed_in["page_of"](persona)
    page.set_viewport_size({"width": 1366, "height": 900})
    response = page.goto(PAGES[name].format(**places[persona]))
    assert response is not None and response.status == 200, response and response.status
    assert serious_problems(page) == [], "at 1366 pixels"
    page.set_viewport_size({"width": 360, "height": 740})
    assert serious_problems(page) == [], "at 360 pixels"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} pixels wide on a 360-pixel screen"


BROKEN = """<!DOCTYPE html><html><head><title></title>
</head><body>
<input name="nameless">
<button></button><a href="/x"></a><img src="data:,">
<ul><p>not an item</p></ul><dl><p>not a term</p></dl>
<p style="color: #bbb; background: #fff">Pale grey on white.</p>
<div style="overflow-x: auto; width: 100px"><p style="width: 400px">A wide row without any link.</p></div>
</body></html>"""


def test_the_check_finds_serious_problems_of_a_broken_page(browser: Any) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.set_content(BROKEN)
        found = {problem.split(":")[0] for problem in serious_problems(page)}
    finally:
        context.close()
    assert found == {
        "html-has-lang",
        "document-title",
        "label",
        "button-name",
        "link-name",
        "image-alt",
        "list",
        "definition-list",
        "color-contrast",
        "scrollable-region-focusable",
    }
