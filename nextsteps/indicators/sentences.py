"""Report sentences with plural forms, kept as data that coordinators edit.

A placeholder is either a bare figure, `{value}`, or a figure with the sentence's words in each plural form
of the sentence's language, separated by |, with # where the figure goes:

    {value|# survivor was|# survivors were} helped to return home.
    {value|# familie a fost vizitată|# familii au fost vizitate|# de familii au fost vizitate} acasă.

The forms come in the order of the language's plural rule, the one its gettext catalogue uses: Dutch and
English have two (1; any other number), Romanian three (1; 0, 2–19 and numbers ending in 01–19; 20 and up,
which take "de": "67 de familii"). A sentence without forms is used as it is.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, trans_real

# Placeholders a report sentence may use. Cells of the sex × age breakdown are named for readers.
SENTENCE_PLACEHOLDERS = {"value", "women", "girls", "men", "boys", "unknown"}
PLURAL_FIELD = re.compile(r"\{(\w+)\|([^{}]*)\}")
NUMBER = "#"
# The number of forms of each language's plural rule (nplurals in its catalogue's Plural-Forms).
PLURAL_FORMS = {"nl": 2, "en": 2, "ro": 3}


def plural_index(lang: str, count: int | Decimal) -> int:
    """Which of a language's plural forms `count` takes, by the formula of the language's catalogue."""
    if count != int(count):
        # A fraction reads like the plural of 2 in all three languages ("1,5 supraviețuitori").
        count = 2
    return int(trans_real.translation(lang).plural(int(count)))


def plain(template: str) -> str:
    """The template with its plural forms taken out: `{value|…}` becomes `{value}`."""
    return PLURAL_FIELD.sub(lambda match: "{" + match.group(1) + "}", template)


def uses(template: str, name: str) -> bool:
    return "{" + name + "}" in plain(template)


def fill(template: str, lang: str, texts: Mapping[str, str], counts: Mapping[str, int | Decimal]) -> str:
    """The sentence with its figures (`texts`, as readers see them), each placeholder's words in the form
    that its count (`counts`) takes in `lang`."""

    def chosen(match: re.Match[str]) -> str:
        name, forms = match.group(1), match.group(2).split("|")
        # A sentence written for another language (the fallback when this one's is empty) may have fewer
        # forms: its last one is its most general.
        form = forms[min(plural_index(lang, counts.get(name, 2)), len(forms) - 1)]
        return form.replace(NUMBER, "{" + name + "}")

    return PLURAL_FIELD.sub(chosen, template).format_map(texts)


def forms_expected(lang: str) -> str:
    if PLURAL_FORMS.get(lang, 2) == 3:
        return _(
            "the words for 1, then for 0, 2 to 19 and numbers ending in 01 to 19, then for 20 and more "
            "(with “de”)"
        )
    return _("the words for 1, then for any other number")


def problems(template: str, lang: str) -> list[str]:
    """What is wrong with a sentence in `lang`, in sentences for the person who wrote it."""
    messages = []
    expected = PLURAL_FORMS.get(lang, 2)
    for match in PLURAL_FIELD.finditer(template):
        forms = match.group(2).split("|")
        field = "{" + match.group(1) + "|…}"
        if len(forms) != expected:
            messages.append(
                ngettext(
                    "%(field)s gives %(given)s form; this language needs %(expected)s, separated by |: "
                    "%(forms)s.",
                    "%(field)s gives %(given)s forms; this language needs %(expected)s, separated by |: "
                    "%(forms)s.",
                    len(forms),
                )
                % {
                    "field": field,
                    "given": len(forms),
                    "expected": expected,
                    "forms": forms_expected(lang),
                }
            )
        elif any(not form.strip() for form in forms):
            messages.append(
                _("%(field)s has an empty form: write the words for each number.") % {"field": field}
            )
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(plain(template)) if name}
    except ValueError:
        names = {"?"}
    bad = sorted(names - SENTENCE_PLACEHOLDERS)
    if bad:
        messages.append(
            _("Unknown placeholder %(names)s; use {value}, {women}, {girls}, {men}, {boys} or {unknown}.")
            % {"names": ", ".join(bad)}
        )
    return messages
