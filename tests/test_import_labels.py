"""Values of lists are accepted as their code or their Dutch, English or Romanian label, forgivingly."""

from __future__ import annotations

from pathlib import Path

import pytest

from nextsteps.imports import vocabularies
from nextsteps.imports.values import Choice, Invalid, Vocabulary
from nextsteps.records.models import Activity, OutreachVisit, Person
from tests import factories as f
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db


def test_dutch_and_romanian_labels_import_as_their_codes(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    persons = write_csv(
        tmp_path / "persons.csv",
        ["external_id", "sex", "survivor_status"],
        [
            ["P-1", "vrouw", "vermoedelijk slachtoffer van mensenhandel"],
            ["P-2", "  MASCULIN ", "identified"],
            ["P-3", "Female", "no"],
        ],
    )
    visits = write_csv(
        tmp_path / "outreach_visits.csv",
        ["external_id", "date", "locality", "site_type"],
        [["V-1", "2021-08-03", "Oradea", "Daklozenopvang"], ["V-2", "2021-08-03", "Oradea", "gospodarie"]],
    )
    activities = write_csv(
        tmp_path / "activities.csv",
        [
            "external_id",
            "activity_type",
            "title",
            "date",
            "locality",
            "attendance_total",
            "participant_groups",
        ],
        [["A-1", "Sesiune la școală", "Les", "2021-10-05", "Oradea", "30", "Politie; studenți, teachers"]],
    )
    run(prog, org, persons, visits, activities)
    people = {p.external_id: (p.sex, p.survivor_status) for p in Person.objects.filter(organisation=org)}
    assert people == {"P-1": ("female", "presumed"), "P-2": ("male", "identified"), "P-3": ("female", "no")}
    sites = dict(OutreachVisit.objects.filter(programme=prog).values_list("external_id", "site_type__code"))
    assert sites == {"V-1": "homeless_shelter", "V-2": "household"}
    activity = Activity.objects.get(programme=prog)
    assert activity.activity_type.code == "school_session"
    assert sorted(g.code for g in activity.participant_groups.all()) == ["police", "students", "teachers"]


def test_a_label_shared_by_two_values_is_refused_but_their_codes_are_not() -> None:
    words = Vocabulary(
        "test",
        [
            Choice("left", {"nl": "links", "en": "left", "ro": "stânga"}),
            Choice("gone", {"nl": "weg", "en": "left", "ro": "plecat"}),
        ],
    )
    assert words.parse("left").code == "left"  # a code always means itself
    assert words.parse("WEG").code == "gone"
    assert words.parse("stanga").code == "left"
    words_without_code = Vocabulary(
        "test",
        [
            Choice("a", {"nl": "zelfde", "en": "one", "ro": "unu"}),
            Choice("b", {"nl": "zelfde", "en": "two", "ro": "doi"}),
        ],
    )
    with pytest.raises(Invalid, match="ambiguous"):
        words_without_code.parse("Zelfde")


def test_every_managed_list_and_choice_has_a_label_in_each_language() -> None:
    for vocabulary in vocabularies.load(None).values():
        for choice in vocabulary.choices:
            assert set(choice.labels) == {"nl", "en", "ro"}
            assert all(choice.labels.values()), choice.code


def test_an_unknown_value_lists_the_allowed_codes() -> None:
    sexes = vocabularies.load(None)["sex"]
    with pytest.raises(Invalid) as refused:
        sexes.parse("f")
    assert "female, male, other, unknown" in refused.value.message()
