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


@pytest.mark.parametrize("lang", ["nl", "ro"])
def test_without_gnu_gettext_the_catalogue_compiles_to_the_same_translations(
    lang: str, tmp_path: Path
) -> None:
    import gettext
    import shutil

    from nextsteps.catalogues import compile_catalogues

    target = tmp_path / lang / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(LOCALE / lang / "LC_MESSAGES" / "django.po", target / "django.po")
    assert compile_catalogues(tmp_path) == [target / "django.mo"]
    assert compile_catalogues(tmp_path) == []  # up to date: not written again
    with open(target / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    catalogue = polib.pofile(str(target / "django.po"))
    entries = [e for e in catalogue.translated_entries() if not e.msgid_plural]
    assert len(entries) > 500
    for entry in entries:
        found = (
            compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid)
        )
        assert found == entry.msgstr, entry.msgid
    plural = next(e for e in catalogue.translated_entries() if e.msgid_plural)
    assert compiled.ngettext(plural.msgid, plural.msgid_plural, 1) == plural.msgstr_plural[0]
