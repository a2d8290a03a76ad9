"""Report sentences in the plural form their figure asks for, in each language: "1 survivor was helped",
"2 survivors were helped", "1 supraviețuitor a fost ajutat", "20 de supraviețuitori au fost ajutați"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nextsteps.demo import programme as spec
from nextsteps.indicators import sentences
from nextsteps.indicators.models import ManualValue
from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import build_report
from tests import factories as f

pytestmark = pytest.mark.django_db

SURVIVORS = {
    "en": "{value|# survivor was|# survivors were} helped.",
    "nl": "{value|# slachtoffer kreeg|# slachtoffers kregen} hulp.",
    "ro": "{value|# supraviețuitor a fost ajutat|# supraviețuitori au fost ajutați|# de supraviețuitori au "
    "fost ajutați}.",
}
EXPECTED = {
    "en": {
        1: "1 survivor was helped.",
        2: "2 survivors were helped.",
        19: "19 survivors were helped.",
        20: "20 survivors were helped.",
        101: "101 survivors were helped.",
    },
    "nl": {
        1: "1 slachtoffer kreeg hulp.",
        2: "2 slachtoffers kregen hulp.",
        19: "19 slachtoffers kregen hulp.",
        20: "20 slachtoffers kregen hulp.",
        101: "101 slachtoffers kregen hulp.",
    },
    "ro": {
        1: "1 supraviețuitor a fost ajutat.",
        2: "2 supraviețuitori au fost ajutați.",
        19: "19 supraviețuitori au fost ajutați.",
        20: "20 de supraviețuitori au fost ajutați.",
        101: "101 supraviețuitori au fost ajutați.",
    },
}
COUNTS = (1, 2, 19, 20, 101)


def survivors_helped(*counts: int) -> tuple[Programme, list[tuple[dt.date, dt.date]]]:
    """A programme whose hand-entered indicator counts each of `counts` survivors in a month of its own."""
    prog = f.programme(f.organisation())
    indicator = f.indicator(
        prog,
        "",
        "manual",
        sentence_en=SURVIVORS["en"],
        sentence_nl=SURVIVORS["nl"],
        sentence_ro=SURVIVORS["ro"],
    )
    months = []
    for month, count in enumerate(counts, start=1):
        start, end = dt.date(2021, month, 1), dt.date(2021, month, 28)
        ManualValue.objects.create(indicator=indicator, start=start, end=end, value=Decimal(count))
        months.append((start, end))
    return prog, months


@pytest.mark.parametrize("lang", ["en", "nl", "ro"])
def test_the_report_sentence_takes_the_plural_form_of_its_figure(lang: str) -> None:
    prog, months = survivors_helped(*COUNTS)
    said = {
        count: build_report(prog, start, end, lang).lines[0].sentence
        for count, (start, end) in zip(COUNTS, months, strict=True)
    }
    assert said == EXPECTED[lang]


def test_a_withheld_figure_takes_the_form_of_its_phrase_not_of_the_hidden_number() -> None:
    # One survivor, shown to donors as "fewer than 5": the singular would give the 1 away.
    prog, [(start, end)] = survivors_helped(1)
    en = build_report(prog, start, end, "en", audience="external").lines[0].sentence
    ro = build_report(prog, start, end, "ro", audience="external").lines[0].sentence
    assert en == "fewer than 5 survivors were helped."
    assert ro.endswith("5 supraviețuitori au fost ajutați.") and "ajutat." not in ro


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "1 new volunteer signed up.",
                "2 new volunteers signed up.",
                "19 new volunteers signed up.",
                "20 new volunteers signed up.",
                "101 new volunteers signed up.",
            ],
        ),
        (
            "nl",
            [
                "1 nieuwe vrijwilliger meldde zich aan.",
                "2 nieuwe vrijwilligers meldden zich aan.",
                "19 nieuwe vrijwilligers meldden zich aan.",
                "20 nieuwe vrijwilligers meldden zich aan.",
                "101 nieuwe vrijwilligers meldden zich aan.",
            ],
        ),
        (
            "ro",
            [
                "1 voluntar nou s-a înscris.",
                "2 voluntari noi s-au înscris.",
                "19 voluntari noi s-au înscris.",
                "20 de voluntari noi s-au înscris.",
                "101 voluntari noi s-au înscris.",
            ],
        ),
    ],
)
def test_the_demos_sentences_read_right_for_every_plural_form(lang: str, expected: list[str]) -> None:
    volunteers = next(i for i in spec.INDICATORS if i["code"] == "volunteers-signed-up")
    template = volunteers[f"sentence_{lang}"]
    said = [sentences.fill(template, lang, {"value": str(n)}, {"value": n}) for n in COUNTS]
    assert said == expected


def test_the_demos_romanian_report_says_de_from_20_up(demo: Programme) -> None:
    said = [line.sentence for line in build_report(demo, spec.REPORT_START, spec.REPORT_END, "ro").lines]
    assert (
        "67 de familii din cartiere sărace ale Bucureștiului au fost vizitate acasă în fiecare lună." in said
    )
    assert any("13 supraviețuitori ai traficului de persoane au fost ajutați" in s for s in said)
    assert any("23 de femei, 20 de fete, 50 de bărbați și 15 băieți (108 în total)" in s for s in said)


def test_every_demo_sentence_passes_the_sentence_checks() -> None:
    for item in spec.INDICATORS:
        for lang in ("nl", "en", "ro"):
            assert sentences.problems(item[f"sentence_{lang}"], lang) == [], (item["code"], lang)


def test_the_plural_rule_is_the_one_of_the_catalogues() -> None:
    # The same choice as ngettext makes with a translated entry of three forms (…, 20 de intrări).
    with translation.override("ro"):
        for n in range(250):
            form = translation.ngettext("%(counter)s entry", "%(counter)s entries", n)
            assert form.endswith(("intrare", "intrări", "de intrări")[sentences.plural_index("ro", n)]), n


def test_a_sentence_without_forms_is_used_as_it_is() -> None:
    prog = f.programme(f.organisation())
    indicator = f.indicator(prog, "", "manual", sentence_en="{value} survivors were helped.")
    day = dt.date(2021, 1, 1)
    ManualValue.objects.create(indicator=indicator, start=day, end=day, value=Decimal(1))
    assert build_report(prog, day, day, "en").lines[0].sentence == "1 survivors were helped."


@pytest.mark.parametrize(
    ("field", "sentence", "complaint"),
    [
        (
            "sentence_ro",
            "{value|# supraviețuitor|# supraviețuitori}.",
            "gives 2 forms; this language needs 3",
        ),
        (
            "sentence_en",
            "{value|# survivor|# survivors|# de survivors}.",
            "gives 3 forms; this language needs 2",
        ),
        ("sentence_en", "{value|survivors}.", "gives 1 form; this language needs 2"),
        ("sentence_nl", "{value|# slachtoffer|}.", "has an empty form"),
        ("sentence_en", "{total|# survivor|# survivors}.", "Unknown placeholder total"),
    ],
)
def test_the_sentence_checks_say_what_is_wrong_with_the_forms(
    field: str, sentence: str, complaint: str
) -> None:
    prog = f.programme(f.organisation())
    with pytest.raises(ValidationError) as error:
        sentence_fields: dict[str, Any] = {field: sentence}
        f.indicator(prog, "", "manual", **sentence_fields)
    assert any(complaint in message for message in error.value.message_dict[field])


def test_the_sentence_checks_speak_the_readers_language() -> None:
    prog = f.programme(f.organisation())
    with translation.override("ro"), pytest.raises(ValidationError) as error:
        f.indicator(prog, "", "manual", sentence_ro="{value|# supraviețuitor|# supraviețuitori}.")
    assert "conține 2 forme; această limbă are nevoie de 3" in error.value.message_dict["sentence_ro"][0]


def test_the_unknown_are_counted_with_the_plural_form_of_their_count() -> None:
    org = f.organisation()
    prog = f.programme(org)
    f.indicator(prog, "persons_reached", "distinct_persons", sex_age_breakdown=True)
    day = dt.date(2021, 5, 1)
    f.visit(prog, org, day, f.person(org, "unknown", born=dt.date(1980, 1, 1)))
    assert build_report(prog, day, day, "nl").lines[0].sentence == (
        "1 Bij 1 van hen is geslacht of leeftijd niet bekend."
    )


def test_the_admin_says_how_to_write_plural_forms(login: Callable[[str], Client]) -> None:
    html = login("operator").get(reverse("admin:indicators_indicator_add")).content.decode()
    assert html.count("{value|# survivor was|# survivors were}") == 3  # one per language's sentence
