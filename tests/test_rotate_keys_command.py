"""`nextsteps rotate-keys`: every encrypted value moves to the current key, so the old key can go."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from nextsteps.privacy import crypto, rotation
from nextsteps.privacy.fields import encrypted_fields
from nextsteps.privacy.search import persons_matching
from nextsteps.programmes.models import Programme
from nextsteps.records.models import Person
from tests import factories as f
from tests import keys

pytestmark = pytest.mark.django_db


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate-keys", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def everything() -> dict[str, list[Any]]:
    """Every encrypted value, read (and so decrypted) through the ORM."""
    return {
        f"{model._meta.label}.{field.name}": list(
            model._base_manager.order_by("pk").values_list(field.name, flat=True)
        )
        for model, fields in encrypted_fields()
        for field in fields
    }


def raw_tokens() -> list[Any]:
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for model, fields in encrypted_fields():
            cols = ", ".join(quote(c) for c in [model._meta.pk.column, *(fl.column for fl in fields)])
            cursor.execute(f"SELECT {cols} FROM {quote(model._meta.db_table)} ORDER BY 1")
            found += cursor.fetchall()
    return found


def test_after_rotating_the_old_key_can_be_dropped(demo: Programme, settings: Any) -> None:
    before = everything()
    people = Person.objects.exclude(given_name="").count()
    settings.NEXTSTEPS_KEYS = f"{keys.OTHER},{keys.CURRENT}"
    out = rotate("--batch-size", "7")
    assert f"records_person.given_name: {people} re-encrypted, 0 already current" in out
    assert "Keep them with the backups made before now" in out
    settings.NEXTSTEPS_KEYS = keys.OTHER
    assert everything() == before
    assert all(c.old == c.plain == c.undecryptable == 0 for c in rotation.survey())


def test_running_it_again_changes_nothing(demo: Programme, settings: Any) -> None:
    settings.NEXTSTEPS_KEYS = f"{keys.OTHER},{keys.CURRENT}"
    rotate()
    tokens = raw_tokens()
    out = rotate()
    assert "Re-encrypted 0 values" in out
    assert raw_tokens() == tokens


def test_a_dry_run_counts_and_changes_nothing(demo: Programme, settings: Any) -> None:
    tokens = raw_tokens()
    settings.NEXTSTEPS_KEYS = f"{keys.OTHER},{keys.CURRENT}"
    out = rotate("--dry-run")
    people = Person.objects.exclude(phone="").count()
    assert f"records_person.phone: {people} to re-encrypt, 0 current" in out
    assert "nothing was changed" in out
    assert raw_tokens() == tokens


def test_it_refuses_to_start_when_some_value_cannot_be_decrypted(demo: Programme, settings: Any) -> None:
    tokens = raw_tokens()
    # The key that encrypted the data is missing: rotating would have to leave those values behind.
    settings.NEXTSTEPS_KEYS = keys.OTHER
    with pytest.raises(
        CommandError, match=r"cannot be decrypted.*records_person\.given_name.*nothing was changed"
    ):
        rotate()
    assert raw_tokens() == tokens


def test_without_keys_it_says_so(settings: Any, tmp_path: Path) -> None:
    settings.NEXTSTEPS_KEYS = ""
    settings.DATA_DIR = tmp_path
    with pytest.raises(CommandError, match="No encryption key is configured"):
        rotate()


def test_it_reindexes_names_for_a_new_search_key(settings: Any) -> None:
    person = f.person(f.organisation(), given_name="Viorica", family_name="Dăncilă-Sârbu")
    settings.NEXTSTEPS_SEARCH_KEY = crypto.new_key()
    assert not persons_matching(Person.objects.all(), "Viorica Dancila-Sarbu").exists()
    out = rotate()
    assert "re-indexed the names of" in out
    assert list(persons_matching(Person.objects.all(), "Viorica Dancila-Sarbu")) == [person]


def test_a_value_changed_during_rotation_is_not_overwritten(settings: Any) -> None:
    person = f.person(f.organisation(), phone="+40 700 100 200")
    settings.NEXTSTEPS_KEYS = f"{keys.OTHER},{keys.CURRENT}"

    def rotate_while_staff_edit(value: str) -> str | None:
        # Someone saves a new number between the rotation's read and its write.
        Person.objects.filter(pk=person.pk).update(phone="+40 799 999 999")
        return rotation.to_current_key(value)

    table, pk = Person._meta.db_table, Person._meta.pk.column
    changed = rotation.convert(connection, table, pk, ["phone"], rotate_while_staff_edit, batch_size=10_000)
    assert changed["phone"] < Person.objects.exclude(phone="").count()
    assert Person.objects.get(pk=person.pk).phone == "+40 799 999 999"
