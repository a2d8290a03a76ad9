"""An import's summary warns about persons who may be recorded twice; it still writes them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nextsteps.records.models import Person
from tests import factories as f
from tests.importing import command, write_csv

pytestmark = pytest.mark.django_db
HEADER = ["external_id", "sex", "birth_year", "given_name", "family_name"]


def test_the_summary_warns_about_persons_like_one_already_recorded(tmp_path: Path) -> None:
    org, other = f.organisation(), f.organisation()
    prog = f.programme(org, other)
    same = f.person(org, born=dt.date(1991, 5, 1), given_name="Zamfira", family_name="Dublura")
    f.person(other, born=dt.date(1992, 5, 1), given_name="Veturia", family_name="Dublura")
    rows = [
        ["IMP-1", "female", "1991", "ZAMFIRA", "dublura"],
        ["IMP-2", "female", "1992", "Veturia", "Dublura"],  # her namesake is another organisation's
        ["IMP-3", "female", "1985", "Zamfira", "Dublura"],  # another year
    ]
    persons = write_csv(tmp_path / "persons.csv", HEADER, rows)
    out, _err = command("import", str(persons), "--programme", prog.slug, "--organisation", org.slug)
    imported = Person.objects.get(organisation=org, external_id="IMP-1")
    assert out.splitlines() == [
        "persons: 3 added, 0 changed, 0 unchanged.",
        f"Warning: 1 imported person has the same name and year of birth as another person of the organisation "
        f"({imported.code}): check the possible duplicate persons.",
    ]
    assert same.code != imported.code


def test_there_is_no_warning_without_a_likely_duplicate(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    persons = write_csv(tmp_path / "persons.csv", HEADER, [["IMP-1", "female", "1991", "Ana", "Pop"]])
    out, _err = command("import", str(persons), "--programme", prog.slug, "--organisation", org.slug)
    assert out.splitlines() == ["persons: 1 added, 0 changed, 0 unchanged."]
