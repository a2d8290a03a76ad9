"""Languages the product speaks, and reading a field stored once per language."""

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_noop

LANGUAGE_CODES = ("nl", "en", "ro")


def localized(obj: Any, field: str, lang: str | None = None) -> str:
    """The `field_<lang>` value of obj, falling back to the other languages rather than showing nothing.

    Staff often write a milestone or label in one language first; an English reader is better served by
    the Dutch text than by a blank line.
    """
    lang = lang or translation.get_language() or "en"
    lang = lang.split("-")[0]
    order = [lang] + [code for code in ("en", "nl", "ro") if code != lang]
    for code in order:
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return str(value)
    return ""


# Django's own Romanian catalogue capitalises month names ("Decembrie"), which Romanian does not do in
# running text. Our catalogues take precedence over Django's, so listing the names here lets ours say
# "decembrie". Dutch and English already match their usage.
MONTH_NAMES = [
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
]
