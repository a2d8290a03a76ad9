"""The report in the reports page speaks the report's language from its title to its last table cell,
whatever the reader's interface language; the page around it (menu, form) keeps the reader's."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Words of each language that a report of the demo's first period shows: headings, the table's head,
# statuses and a month name. Each differs from its counterparts in the other two languages.
WORDS = {
    "en": [
        "Conclusion",
        "Stories",
        "Notable events",
        "Baseline",
        "Percent of target",
        "December",
        "exceeded",
        "no target",
    ],
    "nl": [
        "Conclusie",
        "Verhalen",
        "Opvallende gebeurtenissen",
        "Nulmeting",
        "Percentage van streefwaarde",
        "december",
        "overtroffen",
        "geen streefwaarde",
    ],
    "ro": [
        "Concluzie",
        "Povești",
        "Evenimente importante",
        "Valoare de referință",
        "Procent din țintă",
        "decembrie",
        "depășit",
        "fără țintă",
    ],
}
# Demo personas whose interface speaks each language.
READERS = {"nl": "coordinator", "ro": "caseworker.sa", "en": "dpo"}
SHOW_BUTTON = {"nl": "Rapport tonen", "ro": "Afișați raportul", "en": "Show the report"}


def query(lang: str) -> dict[str, str]:
    return {
        "programme": "next-steps",
        "date_from": "2021-08-01",
        "date_to": "2021-12-31",
        "lang": lang,
        "format": "html",
        "audience": "internal",
    }


def has_word(text: str, word: str) -> bool:
    # Whole words only: Dutch "december" is part of Romanian "decembrie".
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def report_of(page: str, lang: str) -> str:
    match = re.search(rf'<article class="report" lang="{lang}">(.*?)</article>', page, re.S)
    assert match, "the report's container names the report's language"
    # The text readers see, not the markup: class names such as "status-exceeded" are English in every report.
    return html.unescape(re.sub(r"<[^>]*>", " ", match.group(1)))


@pytest.mark.parametrize(
    ("interface", "lang"),
    [(i, r) for i in READERS for r in READERS if i != r],
)
def test_the_report_has_no_word_of_the_readers_interface_language(
    login: Callable[[str], Client], interface: str, lang: str
) -> None:
    page = login(READERS[interface]).get(reverse("reports"), query(lang)).content.decode()
    report = report_of(page, lang)
    assert [word for word in WORDS[lang] if not has_word(report, word)] == []
    assert [word for word in WORDS[interface] if has_word(report, word)] == []


def test_the_page_around_the_report_keeps_the_readers_language(login: Callable[[str], Client]) -> None:
    page = login("coordinator").get(reverse("reports"), query("ro")).content.decode()
    assert '<html lang="nl"' in page
    assert SHOW_BUTTON["nl"] in page and SHOW_BUTTON["ro"] not in page
