"""After `nextsteps person erase`, nothing in the database or the data folder gives the person away: not
a column of any table (encrypted ones decrypted), not the bytes of the SQLite file, its write-ahead log or
any other file, and not an old encrypted token lingering in them that the key still opens.

It runs the command in a process of its own on a SQLite file, as an administrator would, so that the files
are real: the suite's own database is in memory (SQLite) or on a server (PostgreSQL). The SQLite file is
the one a laptop or small server uses whatever database the suite runs on, so this test runs on both.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from nextsteps.privacy.search import name_hashes
from tests import keys
from tests.commandline import nextsteps

ENV = {"NEXTSTEPS_KEYS": keys.CURRENT, "NEXTSTEPS_SEARCH_KEY": keys.SEARCH}
# Distinctive enough that any occurrence is hers.
GIVEN, FAMILY = "Zamfira", "Brâncoveanulescu"
PHONE = "+40 799 314 159"
ADDRESS = "Strada Ciocârliei Ascunse 47"
IDENTITY = "RX-918273"
FIND = [GIVEN, FAMILY, PHONE, PHONE.replace(" ", ""), ADDRESS, IDENTITY]
# Her name-search hashes: the suite's search key is the one the command runs with.
HASHES = list(name_hashes(GIVEN, FAMILY).values())

# What an organisation held about her before the erasure: her record, a case with a service whose note
# names her and a scan of her passport, her story, and an import that failed on her row, written the way old imports wrote errors
# (quoting the cells) under a file name that names her. And a duplicate record of her, deleted while the
# database did not yet overwrite deleted rows (as databases created before secure_delete was on).
SEED = f"""
import datetime as dt, json
from django.db import connection
from nextsteps.accounts.models import Membership, Role, User
from nextsteps.attachments.actions import upload_attachment
from nextsteps.imports.models import ImportJob
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records.models import Case, Person, ServiceType, Story
from tests.attachments import pdf
from tests.factories import open_case

org = Organisation.objects.create(name="Casa Speranței", slug="casa", country="RO")
prog = Programme.objects.create(name="P", slug="p", start_date=dt.date(2021, 1, 1))
prog.organisations.add(org)
dpo = User.objects.create(username="dpo")
Membership.objects.create(user=dpo, organisation=org, role=Role.DATA_PROTECTION_OFFICER)
person = actions.create_record(
    Person, acting_user=None, organisation=org, code="CS-0001", sex="female", birth_date=dt.date(1990, 4, 3),
    given_name={GIVEN!r}, family_name={FAMILY!r}, phone={PHONE!r}, address={ADDRESS!r},
    identity_number={IDENTITY!r},
)
with connection.cursor() as cursor:
    cursor.execute("PRAGMA secure_delete = OFF")
duplicate = Person.objects.create(
    organisation=org, code="CS-0002", given_name={GIVEN!r}, family_name={FAMILY!r}, phone={PHONE!r},
    address={ADDRESS!r},
)
Person.objects.filter(pk=duplicate.pk).delete()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA secure_delete = ON")
case = open_case(acting_user=None, programme=prog, organisation=org, person=person, opened=dt.date(2021, 3, 1)
)
actions.record_service(
    acting_user=None, case=case, service_type=ServiceType.objects.get(code="legal_support"),
    date=dt.date(2021, 3, 2), note="{GIVEN} {FAMILY} asked to be called on {PHONE} at {ADDRESS}.",
)
actions.create_record(
    Story, acting_user=None, programme=prog, organisation=org, person=person, date=dt.date(2021, 4, 1),
    text_en="{GIVEN} found work near {ADDRESS}.",
)
upload_attachment(
    case, acting_user=None, kind="identity_document", title="Passport of {GIVEN} {FAMILY}",
    file_name="{GIVEN}_{FAMILY}_passport.pdf", declared_type="application/pdf",
    data=pdf("{GIVEN} {FAMILY}, {ADDRESS}, {PHONE}".encode()),
)
ImportJob.objects.create(
    user=dpo, programme=prog, organisation=org, language="en", status="failed", error_count=3,
    files=["{GIVEN}_{FAMILY}_intake.xlsx", "visits.csv"],
    errors=json.dumps([
        ["{GIVEN}_{FAMILY}_intake.xlsx", 3, "phone", {PHONE!r}, "“{PHONE}” is not a phone number."],
        ["{GIVEN}_{FAMILY}_intake.xlsx", 3, "address", {ADDRESS!r}, "Too long."],
        ["{GIVEN}_{FAMILY}_intake.xlsx", 3, "identity_number", {IDENTITY!r}, "Already recorded."],
        ["visits.csv", 7, "date", "2021-13-01", "Not a date."],
    ]),
    summary=json.dumps(["Checked the row of {GIVEN} {FAMILY}."]),
)
"""


def test_an_erased_person_is_nowhere_in_the_tables_or_the_files(tmp_path: Path) -> None:
    assert nextsteps("migrate", "-v0", data_dir=tmp_path, env=ENV).returncode == 0
    seeded = nextsteps("shell", "-c", SEED, data_dir=tmp_path, env=ENV)
    assert seeded.returncode == 0, seeded.stderr
    database = tmp_path / "nextsteps.sqlite3"
    # The test can see her before: otherwise finding nothing afterwards would prove nothing.
    assert {text for _where, text in leaks(database, tmp_path)} >= {GIVEN, FAMILY, PHONE, ADDRESS, *HASHES}

    erased = nextsteps("person", "erase", "CS-0001", "--yes", "--user", "dpo", data_dir=tmp_path, env=ENV)
    assert erased.returncode == 0, erased.stderr

    left = sorted(set(leaks(database, tmp_path)))
    assert left == [], left
    # What the import job keeps: the row and column of each error, and the error about someone else.
    with sqlite3.connect(database) as db:
        files, errors = db.execute("SELECT files, errors FROM imports_importjob").fetchone()
    rows = json.loads(opened(errors))
    assert [row[:3] for row in rows][-1] == ["visits.csv", 7, "date"] and rows[-1][3] == "2021-13-01"
    assert [row[1:3] for row in rows[:3]] == [[3, "phone"], [3, "address"], [3, "identity_number"]]
    assert "visits.csv" in opened(files)


def opened(value: str) -> str:
    """The value, decrypted when it is a token (the import job's file names may be stored either way), and
    JSON with its letters as they are (JSON is stored with diacritics as escapes)."""
    with contextlib.suppress(InvalidToken, ValueError):
        value = Fernet(keys.CURRENT).decrypt(value.encode()).decode()
    with contextlib.suppress(ValueError):
        value = json.dumps(json.loads(value), ensure_ascii=False)
    return value


def leaks(database: Path, folder: Path) -> list[tuple[str, str]]:
    """(where, what) for each of her values found in a cell of any table (tokens decrypted) or in the
    bytes of any file in the data folder (and in any token those bytes still hold that the key opens)."""
    found: list[tuple[str, str]] = []
    with sqlite3.connect(database) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for cell in row:
                    text = cell.decode("utf-8", "replace") if isinstance(cell, bytes) else str(cell)
                    found += [(table, value) for value in FIND + HASHES if value in opened(text)]
    db.close()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        found += [
            (path.name, value)
            for value in FIND + HASHES
            if value.encode() in raw or json.dumps(value)[1:-1].encode() in raw
        ]
        for text in old_tokens(raw):
            found += [(f"{path.name} (old token)", value) for value in FIND if value in text]
    return found


def old_tokens(raw: bytes) -> set[str]:
    """The plain text of every Fernet token in `raw` that the key opens. A token's bytes may run on into
    whatever the file holds next, so each possible length of a token is tried (57 + 16k bytes, base64)."""
    opened: set[str] = set()
    fernet = Fernet(keys.CURRENT)
    for match in re.finditer(rb"gAAAAA[A-Za-z0-9_\-]+=*", raw):
        run = match.group()
        size = 57
        while (length := (size + 2) // 3 * 4) <= len(run):
            try:
                opened.add(fernet.decrypt(run[:length]).decode())
                break
            except InvalidToken:
                size += 16
    return opened
