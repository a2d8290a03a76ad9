"""Imported names, phones and notes are stored as the ORM stores them: encrypted, with the keyed name hashes.

The bulk path writes rows without model instances (executemany on SQLite, COPY and UPDATE … FROM on
PostgreSQL); these tests read back every column of every table with raw SQL, and on SQLite the database's
bytes, after imports that create records and imports that change them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.db import connection

from nextsteps import spreadsheets
from nextsteps.privacy import crypto
from nextsteps.privacy.search import persons_matching
from nextsteps.records.models import Person, ServiceDelivery, Volunteer
from tests import factories as f
from tests.importing import command, run, write_csv
from tests.test_encryption_at_rest import raw_cells

pytestmark = pytest.mark.django_db

FIRST = {
    "given": "Zamfira",
    "family": "Vârtejescu",
    "phone": "+40 711 222 333",
    "note": "Accompanied to the tribunal in Craiova",
    "volunteer": "Iridenta Carabăț",
    "volunteer_phone": "+40 744 555 666",
}
# What a second import changes them to: the update path must encrypt as well.
SECOND = {
    "given": "Zenovia",
    "family": "Brâncușeanu",
    "phone": "+40 799 888 777",
    "note": "Met the prosecutor in Galați about the hearing",
    "volunteer": "Anemona Păltinișeanu",
    "volunteer_phone": "+40 733 121 212",
}


def files(folder: Path, values: dict[str, str]) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [
        write_csv(
            folder / "persons.csv",
            ["external_id", "sex", "birth_year", "given_name", "family_name", "phone"],
            [["P-1", "female", "1990", values["given"], values["family"], values["phone"]]],
        ),
        write_csv(
            folder / "cases.csv",
            ["external_id", "person", "opened", "consent_not_asked_reason"],
            [["C-1", "P-1", "2021-01-04", "Asked at the next meeting."]],
        ),
        write_csv(
            folder / "services.csv",
            ["external_id", "case", "service_type", "date", "note"],
            [["S-1", "C-1", "legal_support", "2021-08-03", values["note"]]],
        ),
        write_csv(
            folder / "volunteers.csv",
            ["external_id", "signed_up", "name", "phone"],
            [["VOL-1", "2021-08-02", values["volunteer"], values["volunteer_phone"]]],
        ),
    ]


def leaks(values: dict[str, str]) -> list[tuple[str, str, str]]:
    found = []
    for table, column, text in raw_cells():
        if crypto.looks_encrypted(text) and crypto.opens(text):
            continue
        found += [(table, column, v) for v in values.values() if v in text]
    return found


def sqlite_bytes_leaks(values: dict[str, str]) -> list[str]:
    if connection.vendor != "sqlite":
        return []
    connection.ensure_connection()
    image: bytes = connection.connection.serialize()  # type: ignore[union-attr]
    return [v for v in values.values() if v.encode("utf-8") in image]


def test_imported_identifying_values_are_stored_encrypted_when_created_and_when_changed(
    tmp_path: Path,
) -> None:
    org = f.organisation()
    prog = f.programme(org)
    run(prog, org, *files(tmp_path / "first", FIRST))
    person = Person.objects.get(organisation=org, external_id="P-1")
    assert (person.given_name, person.family_name, person.phone) == (
        FIRST["given"],
        FIRST["family"],
        FIRST["phone"],
    )
    assert leaks(FIRST) == []
    assert sqlite_bytes_leaks(FIRST) == []

    result = run(prog, org, *files(tmp_path / "second", SECOND))
    assert result.counts["persons"].changed == 1
    assert result.counts["services"].changed == 1
    assert result.counts["volunteers"].changed == 1
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.phone) == (
        SECOND["given"],
        SECOND["family"],
        SECOND["phone"],
    )
    assert ServiceDelivery.objects.get(case__person=person).note == SECOND["note"]
    assert Volunteer.objects.get(organisation=org, external_id="VOL-1").name == SECOND["volunteer"]
    assert leaks(SECOND) == []
    assert sqlite_bytes_leaks(SECOND) == []


def test_an_imported_person_is_found_by_name_and_again_under_a_changed_name(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    run(prog, org, *files(tmp_path / "first", FIRST))
    persons = Person.objects.filter(organisation=org)
    assert [p.external_id for p in persons_matching(persons, "zamfira VARTEJESCU")] == ["P-1"]
    run(prog, org, *files(tmp_path / "second", SECOND))
    assert list(persons_matching(persons, "Zamfira Vârtejescu")) == []
    assert [p.external_id for p in persons_matching(persons, "Brancuseanu Zenovia")] == ["P-1"]


def test_exported_records_carry_the_decrypted_names(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    run(prog, org, *files(tmp_path / "in", FIRST))
    out = tmp_path / "out"
    command(
        "export-records",
        str(out),
        "--programme",
        prog.slug,
        "--organisation",
        org.slug,
        "--include-identifying",
    )
    with open(out / "persons.csv", encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream))
    # A phone number starts with "+": written with the apostrophe that keeps a spreadsheet from reading a
    # formula, which the import takes off again.
    assert [(r["given_name"], r["family_name"], r["phone"]) for r in rows] == [
        (FIRST["given"], FIRST["family"], f"'{FIRST['phone']}")
    ]
    assert spreadsheets.from_csv(rows[0]["phone"]) == FIRST["phone"]
    with open(out / "volunteers.csv", encoding="utf-8-sig") as stream:
        assert [r["name"] for r in csv.DictReader(stream)] == [FIRST["volunteer"]]
