"""Identifying fields are encrypted in the database: the raw tables hold no name, phone or note of the demo.

The clear values are collected through the ORM first; then every column of every table is read with raw
SQL (on SQLite and on PostgreSQL, whichever the suite runs on), and on SQLite the database's raw bytes too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, transaction

from nextsteps.privacy import crypto, rotation
from nextsteps.programmes.models import Programme
from nextsteps.records import actions
from nextsteps.records.models import (
    Outcome,
    PartnerContact,
    Person,
    ServiceDelivery,
    Story,
    Volunteer,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def clear_values() -> tuple[set[str], set[str]]:
    """(phrases, single names) of the demo that must never be stored in clear."""
    phrases: set[str] = set()
    names: set[str] = set()
    for p in Person.objects.all():
        phrases |= {f"{p.given_name} {p.family_name}", p.phone, p.address, p.identity_number}
        names |= {p.given_name, p.family_name}
    for v in Volunteer.objects.all():
        phrases |= {v.name, v.phone}
    for s in Story.objects.all():
        phrases |= {s.text_nl, s.text_en, s.text_ro}
    for model in (ServiceDelivery, Outcome, PartnerContact):
        phrases |= set(model.objects.values_list("note", flat=True))
    phrases.discard("")
    names.discard("")
    return phrases, names


def raw_cells() -> Iterator[tuple[str, str, str]]:
    """(table, column, value as text) for every non-empty cell of every table, read with raw SQL."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None or value == "":
                        continue
                    if isinstance(value, bytes | memoryview):
                        text = bytes(value).decode("utf-8", errors="replace")
                    else:
                        text = str(value)
                    yield table, column, text


def test_the_demo_has_identifying_values_to_protect(demo: Programme) -> None:
    phrases, names = clear_values()
    assert len(names) > 30
    assert any(p.startswith("+40 7") for p in phrases)
    assert any("prosecutor's office" in p for p in phrases)
    assert any(p.startswith("DEMO-ID-") for p in phrases)


def test_no_table_holds_a_demo_name_phone_or_note_in_clear_text(demo: Programme) -> None:
    phrases, names = clear_values()
    # Single names are looked for as whole words; short ones also occur inside ordinary words.
    name_pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names if len(n) >= 4) + r")\b")
    leaks: list[tuple[str, str, str]] = []
    tokens = 0
    for table, column, text in raw_cells():
        if crypto.looks_encrypted(text) and crypto.opens(text):
            tokens += 1
            continue
        found = [p for p in phrases if p in text] or name_pattern.findall(text)
        if found:
            leaks.append((table, column, str(found[:3])))
    assert tokens > 500
    assert leaks == []


def test_every_encrypted_column_holds_only_tokens_of_the_current_key(demo: Programme) -> None:
    columns = rotation.survey()
    assert {c.label for c in columns} >= {
        "records_person.given_name",
        "records_person.family_name",
        "records_person.phone",
        "records_person.address",
        "records_person.identity_number",
        "records_volunteer.name",
        "records_volunteer.phone",
        "records_story.text_en",
        "records_servicedelivery.note",
        "records_outcome.note",
        "records_partnercontact.note",
    }
    assert [
        (c.label, c.plain, c.old, c.undecryptable) for c in columns if c.plain or c.old or c.undecryptable
    ] == []
    assert sum(c.current for c in columns) > 500


def test_the_sqlite_database_bytes_hold_no_demo_name_or_phone(demo: Programme) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the raw-cell test covers PostgreSQL; this one reads SQLite's own pages")
    phrases, _names = clear_values()
    connection.ensure_connection()
    image: bytes = connection.connection.serialize()  # type: ignore[union-attr]
    assert b"records_person" in image
    assert [p for p in phrases if p.encode("utf-8") in image] == []


def test_python_code_reads_and_writes_plain_text(demo: Programme) -> None:
    org = f.organisation()
    person = f.person(org, given_name="Ștefania", family_name="Bălan", phone="+40 799 000 111")
    again = Person.objects.get(pk=person.pk)
    assert (again.given_name, again.family_name, again.phone) == ("Ștefania", "Bălan", "+40 799 000 111")
    assert Person.objects.values_list("family_name", flat=True).get(pk=person.pk) == "Bălan"
    raw = raw_value(Person, person.pk, "family_name")
    assert crypto.looks_encrypted(raw) and "Bălan" not in raw


def raw_value(model: Any, pk: Any, column: str) -> str:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s",
            [pk],
        )
        return str(cursor.fetchone()[0])


def test_update_and_bulk_update_encrypt_too(demo: Programme) -> None:
    org = f.organisation()
    a, b = f.person(org), f.person(org)
    Person.objects.filter(pk=a.pk).update(phone="+40 711 222 333")
    b.phone = "+40 744 555 666"
    Person.objects.bulk_update([b], ["phone"])
    assert Person.objects.get(pk=a.pk).phone == "+40 711 222 333"
    assert Person.objects.get(pk=b.pk).phone == "+40 744 555 666"
    assert "+40" not in raw_value(Person, a.pk, "phone") + raw_value(Person, b.pk, "phone")


def test_empty_values_stay_empty_and_can_be_filtered(demo: Programme) -> None:
    person = f.person(f.organisation())
    assert raw_value(Person, person.pk, "phone") == ""
    assert Person.objects.filter(pk=person.pk, phone="").exists()


def test_comparing_an_encrypted_field_with_a_value_is_an_error_not_an_empty_result(demo: Programme) -> None:
    with pytest.raises(FieldError, match="persons_matching"):
        list(Person.objects.filter(given_name="Ana"))
    with pytest.raises(FieldError, match="encrypted"):
        list(Person.objects.filter(family_name__icontains="pop"))


def test_without_a_key_it_refuses_to_save_and_writes_nothing(settings: Any, tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    persons, volunteers = Person.objects.count(), Volunteer.objects.count()
    settings.NEXTSTEPS_KEYS = ""
    settings.NEXTSTEPS_SEARCH_KEY = ""
    settings.DATA_DIR = tmp_path
    with pytest.raises(ImproperlyConfigured, match="No encryption key is configured"):
        f.person(org, given_name="Ana", family_name="Stan")
    with pytest.raises(ImproperlyConfigured, match="No encryption key is configured"):
        actions.create_record(
            Volunteer,
            acting_user=None,
            programme=prog,
            organisation=org,
            code="V-1",
            signed_up="2021-09-01",
            name="Ana Stan",
        )
    with pytest.raises(ImproperlyConfigured, match="No encryption key is configured"), transaction.atomic():
        Volunteer.objects.filter(organisation__programmes=prog).update(phone="+40 700 000 000")
    assert (Person.objects.count(), Volunteer.objects.count()) == (persons, volunteers)


def test_without_a_key_it_refuses_to_read(demo: Programme, settings: Any, tmp_path: Path) -> None:
    settings.NEXTSTEPS_KEYS = ""
    settings.NEXTSTEPS_SEARCH_KEY = ""
    settings.DATA_DIR = tmp_path
    with pytest.raises(ImproperlyConfigured, match="NEXTSTEPS_KEYS"):
        Person.objects.exclude(given_name="").first()


def test_with_the_wrong_key_reading_fails_with_a_clear_message(demo: Programme, settings: Any) -> None:
    from tests import keys

    settings.NEXTSTEPS_KEYS = keys.OTHER
    with pytest.raises(ImproperlyConfigured, match=r"records_person\.given_name.*cannot be decrypted"):
        Person.objects.exclude(given_name="").first()
