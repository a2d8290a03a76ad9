"""The migration that encrypts identifying fields converts the plain values already stored, and back."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from nextsteps.privacy import crypto
from nextsteps.privacy.search import persons_matching
from nextsteps.programmes.models import Programme
from nextsteps.records.models import Person, Volunteer
from tests import keys
from tests.commandline import nextsteps


def encryption_migration() -> Any:
    # Found by name, so that renumbering it when branches merge does not break this test.
    loader = MigrationLoader(None, ignore_no_migrations=True)
    (migration,) = (
        m
        for (app, name), m in loader.disk_migrations.items()
        if app == "records" and name.endswith("encrypt_identifying_fields")
    )
    return migration


def raw(model: Any, pk: Any, *columns: str) -> tuple[Any, ...]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)} = %s",
            [pk],
        )
        return tuple(cursor.fetchone())


def write_raw(model: Any, pk: Any, **values: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {', '.join(f'{quote(c)} = %s' for c in values)} "
            f"WHERE {quote(model._meta.pk.column)} = %s",
            [*values.values(), pk],
        )


@pytest.mark.django_db
def test_it_encrypts_plain_rows_indexes_their_names_and_decrypts_them_on_the_way_back(
    demo: Programme,
) -> None:
    operation = encryption_migration().operations[-1]
    editor = SimpleNamespace(connection=connection)
    person = Person.objects.exclude(given_name="").first()
    volunteer = Volunteer.objects.exclude(name="").first()
    assert person is not None and volunteer is not None
    untouched = raw(Person, Person.objects.exclude(pk=person.pk).first().pk, "given_name")  # type: ignore[union-attr]
    # As an installation before the migration stored them: plain text, no name hashes.
    write_raw(
        Person,
        person.pk,
        given_name="Ilinca",
        family_name="Șerban",
        phone="+40 755 123 456",
        given_name_hash="",
        family_name_hash="",
        full_name_hash="",
    )
    write_raw(Volunteer, volunteer.pk, name="Sorina Vlad")

    operation.code(apps, editor)

    stored = raw(Person, person.pk, "given_name", "family_name", "phone")
    assert all(crypto.looks_encrypted(v) for v in stored)
    assert "Sorina" not in raw(Volunteer, volunteer.pk, "name")[0]
    again = Person.objects.get(pk=person.pk)
    assert (again.given_name, again.family_name, again.phone) == ("Ilinca", "Șerban", "+40 755 123 456")
    assert Volunteer.objects.get(pk=volunteer.pk).name == "Sorina Vlad"
    assert list(persons_matching(Person.objects.all(), "ilinca serban")) == [person]
    # Values that were encrypted already are left as they were.
    assert raw(Person, Person.objects.exclude(pk=person.pk).first().pk, "given_name") == untouched  # type: ignore[union-attr]

    operation.reverse_code(apps, editor)

    assert raw(Person, person.pk, "given_name", "family_name", "phone") == (
        "Ilinca",
        "Șerban",
        "+40 755 123 456",
    )
    assert raw(Volunteer, volunteer.pk, "name") == ("Sorina Vlad",)


def sqlite_filler(db: sqlite3.Connection, table: str, **given: Any) -> int:
    """Insert a row with `given` values and a plausible value for every other required column."""
    columns = db.execute(f'PRAGMA table_info("{table}")').fetchall()
    values = dict(given)
    for _cid, name, kind, notnull, default, pk in columns:
        if name in values or pk or not notnull or default is not None:
            continue
        kind = kind.lower()
        if "int" in kind or "bool" in kind or "decimal" in kind:
            values[name] = 1 if name.endswith("_id") else 0
        elif kind == "date":
            values[name] = "2021-09-01"
        elif "datetime" in kind:
            values[name] = "2021-09-01 10:00:00"
        else:
            values[name] = "[]" if "json" in kind else "x"
    names = ", ".join(f'"{n}"' for n in values)
    marks = ", ".join("?" for _ in values)
    cursor = db.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(values.values()))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def test_migrating_an_existing_sqlite_database_encrypts_its_plain_names(tmp_path: Path) -> None:
    env = {"NEXTSTEPS_KEYS": keys.CURRENT, "NEXTSTEPS_SEARCH_KEY": keys.SEARCH}
    before = encryption_migration().dependencies
    (previous,) = [name for app, name in before if app == "records"]
    step = nextsteps("migrate", "records", previous, "-v0", data_dir=tmp_path, env=env)
    assert step.returncode == 0, step.stderr
    path = tmp_path / "nextsteps.sqlite3"
    with sqlite3.connect(path) as db:
        org = sqlite_filler(db, "programmes_organisation", name="Org", slug="org", country="RO")
        person = sqlite_filler(
            db,
            "records_person",
            organisation_id=org,
            code="P-1",
            given_name="Mirela",
            family_name="Țăranu",
            phone="+40 766 111 222",
        )
    db.close()

    step = nextsteps("migrate", "-v0", data_dir=tmp_path, env=env)
    assert step.returncode == 0, step.stderr
    fernet = Fernet(keys.CURRENT.encode())
    with sqlite3.connect(path) as db:
        given, family, phone, given_hash = db.execute(
            "SELECT given_name, family_name, phone, given_name_hash FROM records_person WHERE id = ?",
            [person],
        ).fetchone()
    db.close()
    assert [fernet.decrypt(v.encode()).decode() for v in (given, family, phone)] == [
        "Mirela",
        "Țăranu",
        "+40 766 111 222",
    ]
    assert len(given_hash) == 64
    # Freed pages of the rebuilt tables may still hold the old text until VACUUM (see docs/security.md).
    assert b"Mirela" not in _live_pages(path)

    step = nextsteps("migrate", "records", previous, "-v0", data_dir=tmp_path, env=env)
    assert step.returncode == 0, step.stderr
    with sqlite3.connect(path) as db:
        assert db.execute(
            "SELECT given_name, phone FROM records_person WHERE id = ?", [person]
        ).fetchone() == (
            "Mirela",
            "+40 766 111 222",
        )
    db.close()


def _live_pages(path: Path) -> bytes:
    """The database as SQLite would copy it (VACUUM INTO drops free pages that may hold old plain text)."""
    copy = path.with_name("vacuumed.sqlite3")
    with sqlite3.connect(path) as db:
        db.execute("VACUUM INTO ?", [str(copy)])
    db.close()
    return copy.read_bytes()


@pytest.mark.django_db
def test_it_refuses_to_encrypt_a_token_of_another_key_a_second_time(demo: Programme) -> None:
    operation = encryption_migration().operations[-1]
    person = Person.objects.exclude(given_name="").first()
    assert person is not None
    foreign = Fernet(keys.OTHER.encode()).encrypt(b"Ana").decode()
    write_raw(Person, person.pk, given_name=foreign)
    with pytest.raises(crypto.UndecryptableValue):
        operation.code(apps, SimpleNamespace(connection=connection))
    assert raw(Person, person.pk, "given_name") == (foreign,)
