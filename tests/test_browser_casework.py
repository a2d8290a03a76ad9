"""A caseworker's day, end to end in Chromium on a phone-sized screen: caseworker.ijm signs in, opens My
cases, opens a case with an overdue follow-up, records a note and the service a planned action asked for,
marks the follow-up done, uploads a consent form and closes the case with a reason. Each step is checked on
the page and then in the server's database: the note encrypted, the service linked to its planned action,
the follow-up done, the attachment stored encrypted, the case closed with its reason, and an audit entry by
the caseworker for each write.

Shares the server and browser of tests/browser.py. The persona works in Romanian, so the test finds links by
their address and checks texts it typed itself.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.attachments import pdf
from tests.browser import run_in_server, sign_in

pytestmark = pytest.mark.browser

NOTE = "Spoke with her at the shelter; she wants to start the tailoring course in January."
SERVICE_NOTE = "First meeting at the job centre in Cluj."
TITLE = "Consent for services, signed today"
CONSENT_MARKER = b"browser-day-consent-form-4471"


def open_the_most_overdue_case(page: Any) -> str:
    """From My cases, filtered to overdue follow-ups, the case whose follow-up is most overdue."""
    page.goto("/")
    page.click("button.menu-toggle")
    page.click("nav a[href='/cases/mine/']")
    page.check("input[name=overdue]")
    page.select_option("select[name=sort]", "next")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/cases/mine/?*overdue=on*")
    first = page.locator("main table tbody tr").first
    expect(first.locator("td.num strong")).to_have_text(re.compile(r"[1-9]"))
    first.locator("a[href^='/cases/']").click()
    page.wait_for_url(re.compile(r"/cases/\d+/file/$"))
    return str(page.url.split("/cases/")[1].split("/")[0])


def test_a_caseworkers_day_from_my_cases_to_closing_a_case(page: Any, server: str, tmp_path: Path) -> None:
    today = dt.date.today()
    page.set_default_timeout(10_000)
    sign_in(page, "caseworker.ijm")
    case = open_the_most_overdue_case(page)
    case_path = f"/cases/{case}/file/"

    # The overdue follow-up is on the case page, with its button to mark it done.
    overdue = page.locator("#follow-ups li", has=page.locator("strong")).filter(
        has=page.locator("a[href$='/done/']")
    )
    expect(overdue.first).to_be_visible()
    done_href = str(overdue.first.locator("a[href$='/done/']").get_attribute("href"))
    follow_up = done_href.split("/")[2]

    # A note.
    page.click(f"a[href='/cases/{case}/notes/new/']")
    page.fill("textarea[name=text]", NOTE)
    page.click("main button[type=submit].primary")
    page.wait_for_url(f"**{case_path}")
    expect(page.locator("#notes")).to_contain_text(NOTE)

    # The service a planned action asked for, recorded from the plan.
    record_service = page.locator("#plan a[href$='/service/']").first
    action = str(record_service.get_attribute("href")).split("/")[2]
    record_service.click()
    page.fill("textarea[name=note]", SERVICE_NOTE)
    page.click("main button[type=submit].primary")
    page.wait_for_url(f"**{case_path}")
    expect(page.locator(f"#action-{action} a[href^='/services/']")).to_have_count(1)

    # The overdue follow-up, marked done today.
    page.click(f"#follow-up-{follow_up} a[href$='/done/']")
    expect(page.locator("input[name=done]")).to_have_value(today.isoformat())
    page.click("main button[type=submit].primary")
    page.wait_for_url(f"**{case_path}")
    expect(page.locator(f"#follow-up-{follow_up} a[href$='/done/']")).to_have_count(0)

    # A signed consent form, uploaded from the case page.
    scan = tmp_path / "consent.pdf"
    scan.write_bytes(pdf(CONSENT_MARKER))
    upload = page.locator("#attachments form")
    upload.locator("select[name=kind]").select_option("consent_form")
    upload.locator("input[name=title]").fill(TITLE)
    upload.locator("input[name=file]").set_input_files(str(scan))
    upload.locator("button[type=submit]").click()
    expect(page.locator("#attachments .attachment-list")).to_contain_text(TITLE)

    # Closing the case: other follow-ups or planned actions still open are named, and saving again closes it.
    page.goto(case_path)
    page.click(f"a[href='/cases/{case}/close/']")
    page.select_option("select[name=closure_reason]", index=1)
    reason = page.input_value("select[name=closure_reason]")
    page.click("main button[type=submit].primary")
    page.wait_for_load_state()
    if "/close/" in page.url:
        expect(page.locator("[data-error-summary] li").first).to_be_visible()
        expect(page.locator("[data-error-summary]")).to_be_focused()
        page.click("main button[type=submit].primary")
    page.wait_for_url(f"**{case_path}")
    expect(page.locator(f"a[href='/cases/{case}/reopen/']")).to_be_visible()

    stored = run_in_server(
        server,
        f"""
import json
from django.db import connection
from nextsteps.attachments.models import Attachment
from nextsteps.audit.models import AuditEntry
from nextsteps.casework.models import CaseNote, FollowUp, PlannedAction
from nextsteps.records.models import Case
case = Case.objects.get(pk={case})
note = CaseNote.objects.filter(case=case).order_by("-pk").first()
action = PlannedAction.objects.get(pk={action})
attachment = Attachment.objects.filter(case=case, kind="consent_form").order_by("-pk").first()
with connection.cursor() as cursor:
    cursor.execute("SELECT text FROM casework_casenote WHERE id = %s", [note.pk])
    note_in_table = str(cursor.fetchone()[0])
    cursor.execute("SELECT content FROM attachments_attachment WHERE id = %s", [attachment.pk])
    raw = cursor.fetchone()[0]
    content_in_table = raw.encode() if isinstance(raw, str) else bytes(raw)
service = action.services.get()
written = {{
    "casework.CaseNote": note.pk, "records.ServiceDelivery": service.pk, "casework.FollowUp": {follow_up},
    "attachments.Attachment": attachment.pk, "records.Case": case.pk,
}}
audited = AuditEntry.objects.filter(
    user__username="caseworker.ijm", model__in=written, action__in=["create", "change"]
)
print(json.dumps({{
    "note": [note.text, note.author.username],
    "note_in_table": note_in_table,
    "services": [[s.date.isoformat(), s.note, s.case_id] for s in action.services.all()],
    "action_status": action.status,
    "follow_up_done": str(FollowUp.objects.get(pk={follow_up}).done),
    "attachment": [attachment.title, attachment.content_type, attachment.uploaded_by.username],
    "content_clear": {CONSENT_MARKER!r} in content_in_table,
    "case": [case.status, str(case.closed), str(case.closure_reason_id)],
    "audited": sorted({{(e.model, e.action) for e in audited if e.object_pk == str(written[e.model])}}),
}}))
""",
    )
    assert stored["note"] == [NOTE, "caseworker.ijm"]
    assert NOTE not in stored["note_in_table"] and "tailoring" not in stored["note_in_table"]
    assert stored["services"] == [[today.isoformat(), SERVICE_NOTE, int(case)]]
    assert stored["action_status"] == "done"
    assert stored["follow_up_done"] == today.isoformat()
    assert stored["attachment"] == [TITLE, "application/pdf", "caseworker.ijm"]
    assert stored["content_clear"] is False
    assert stored["case"] == ["closed", today.isoformat(), reason]
    for write in [
        ["casework.CaseNote", "create"],
        ["records.ServiceDelivery", "create"],
        ["casework.FollowUp", "change"],
        ["attachments.Attachment", "create"],
        ["records.Case", "change"],
    ]:
        assert write in stored["audited"]
