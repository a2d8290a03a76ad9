"""The type-ahead picker in Chromium on a phone-sized screen: outreach.sa records a household, finds one member
by the first letters of her code and chooses her with the keyboard, finds another by her whole name, never
sees a person of another organisation, and saves; the server's database then holds exactly those members.

Shares the server and browser of tests/browser.py (no other browser test changes the Salvation Army's
households). The persona works in Romanian: the test finds elements by their role and name attributes.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from nextsteps.privacy.search import normalise
from tests.browser import run_in_server, sign_in

pytestmark = pytest.mark.browser

PEOPLE = """
import json
from nextsteps.records.models import Person
sa = [p for p in Person.objects.filter(organisation__slug="salvation-army-ro").order_by("pk")[:60]
      if p.given_name and p.family_name]
named = next(p for p in sa[1:] if not Person.objects.filter(
    organisation__slug="salvation-army-ro", given_name_hash=p.given_name_hash,
    family_name_hash=p.family_name_hash).exclude(pk=p.pk).exists())
other = Person.objects.filter(organisation__slug="ijm-ro").order_by("pk").first()
print(json.dumps({"first": [sa[0].pk, sa[0].code], "named": [named.pk, named.code,
    named.given_name + " " + named.family_name], "other": other.code}))
"""


def test_a_member_is_found_by_code_and_by_name_and_chosen_with_the_keyboard(page: Any, server: str) -> None:
    people = run_in_server(server, PEOPLE)
    first_pk, first_code = people["first"]
    named_pk, named_code, name = people["named"]
    page.set_default_timeout(10_000)
    sign_in(page, "outreach.sa")
    page.goto("/households/new/")
    page.fill("input[name=code]", "PICKER-BROWSER-1")
    page.fill("input[name=locality]", "Ferentari")
    members = page.locator("#id_members")
    options = page.locator("#id_members_options")

    # Another organisation's person is never offered, by code or otherwise.
    members.fill(people["other"])
    expect(options.locator("[role=option]")).to_have_count(1)
    expect(options.locator("[role=option][data-value]")).to_have_count(0)

    # The first letters of a code, in lower case; the arrow key highlights, Enter chooses (and does not submit).
    members.fill(first_code[:-1].lower())
    option = options.locator(f"[role=option][data-value='{first_pk}']")
    expect(option).to_be_visible()
    for _step in range(20):
        members.press("ArrowDown")
        if options.locator("[aria-selected=true]").get_attribute("data-value") == str(first_pk):
            break
    expect(members).to_have_attribute("aria-activedescendant", str(option.get_attribute("id")))
    members.press("Enter")
    expect(options).to_be_hidden()
    expect(page.locator(f"#id_members_chosen input[value='{first_pk}']")).to_be_checked()
    assert "/households/new/" in page.url

    # A whole name, typed without diacritics and in another case, finds her and shows her name.
    members.fill(normalise(name).upper())
    named_option = options.locator(f"[role=option][data-value='{named_pk}']")
    expect(named_option).to_contain_text(named_code)
    members.press("Escape")
    expect(options).to_be_hidden()
    members.press("ArrowDown")
    expect(options).to_be_visible()
    named_option.click()
    expect(page.locator(f"#id_members_chosen input[value='{named_pk}']")).to_be_checked()

    page.click("main button[type=submit].primary")
    page.wait_for_url("**/households/*/")
    saved = run_in_server(
        server,
        "import json\nfrom nextsteps.records.models import Household\n"
        "h = Household.objects.get(code='PICKER-BROWSER-1')\n"
        "print(json.dumps(sorted(h.members.values_list('pk', flat=True))))",
    )
    assert saved == sorted([first_pk, named_pk])
