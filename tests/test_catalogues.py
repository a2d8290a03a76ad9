"""Every user-facing string is translated into Dutch and Romanian, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "nextsteps" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("lang", ["nl", "ro"])
def test_every_string_is_translated_with_its_placeholders(lang: str) -> None:
    catalogue = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in catalogue if not e.translated() and not e.obsolete]
    assert untranslated == []
    for entry in catalogue.translated_entries():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
            assert placeholders(text) <= expected, entry.msgid
            if not entry.msgid_plural:
                assert placeholders(text) == expected, entry.msgid


@pytest.mark.parametrize("lang", ["nl", "en", "ro"])
def test_the_catalogue_is_compiled(lang: str) -> None:
    assert (LOCALE / lang / "LC_MESSAGES" / "django.mo").exists()
