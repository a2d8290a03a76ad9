"""`nextsteps demo`: loads once, prints the Dutch report, and never doubles the data."""

from __future__ import annotations

import re
import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from nextsteps.accounts.models import Role
from nextsteps.audit.models import AuditEntry
from nextsteps.demo.management.commands.demo import DEFAULT_PASSWORD
from nextsteps.demo.programme import PERSONAS
from nextsteps.programmes.models import Programme
from nextsteps.records.models import OutreachVisit, Person
from tests.commandline import ROOT, nextsteps


def test_running_it_again_adds_nothing_and_prints_the_dutch_report(demo: Programme) -> None:
    persons, visits = Person.objects.count(), OutreachVisit.objects.count()
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out, stderr=StringIO())
    assert (Person.objects.count(), OutreachVisit.objects.count()) == (persons, visits)
    assert "13 slachtoffers van mensenhandel" in out.getvalue()
    assert "augustus 2021 – december 2021" in out.getvalue()


def test_its_people_carry_invented_names_and_phone_numbers(demo: Programme) -> None:
    people = Person.objects.filter(organisation__programmes=demo)
    assert people.exclude(given_name="").count() == people.count()
    assert all(p.phone.startswith("+40 7") for p in people[:20])


def test_it_records_through_the_audited_actions(demo: Programme) -> None:
    assert (
        AuditEntry.objects.filter(model="records.Person", action="create").count() >= Person.objects.count()
    )


def test_on_an_empty_data_folder_it_makes_its_own_key_file_and_stores_no_name_in_clear(
    tmp_path: Path,
) -> None:
    # No key anywhere and no database: what `nextsteps demo` meets on a freshly cloned machine.
    step = nextsteps("demo", "--no-serve", data_dir=tmp_path)
    assert step.returncode == 0, step.stderr
    assert "13 slachtoffers van mensenhandel" in step.stdout
    key_file = tmp_path / "keys"
    assert f"Created the key file {key_file}" in step.stderr
    assert key_file.stat().st_mode & 0o077 == 0
    lines = [ln for ln in key_file.read_text().splitlines() if ln and not ln.startswith(("#", "search:"))]
    fernet = Fernet(lines[0].encode())
    database = tmp_path / "nextsteps.sqlite3"
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT given_name, family_name, phone FROM records_person").fetchall()
    db.close()
    people = [[fernet.decrypt(v.encode()).decode() for v in row] for row in rows]
    assert len(people) > 100
    image = database.read_bytes()
    leaks = [p for p in people if f"{p[0]} {p[1]}".encode() in image or p[2].encode() in image]
    assert leaks == []
    # The key file lost: the demo refuses instead of writing a new key that opens none of the stored data.
    key_file.unlink()
    again = nextsteps("demo", "--no-serve", data_dir=tmp_path)
    assert again.returncode == 1
    assert again.stderr.strip().startswith(
        "CommandError: No encryption key is configured, but the database holds encrypted data already"
    )
    assert not key_file.exists()


def test_a_password_the_validators_refuse_is_one_line_and_changes_nothing(demo: Programme) -> None:
    from django.contrib.auth.hashers import check_password

    from nextsteps.accounts.models import User

    before = User.objects.get(username="viewer").password
    with pytest.raises(CommandError) as refused:
        call_command("demo", "--no-serve", "--password", "password", stdout=StringIO(), stderr=StringIO())
    message = str(refused.value)
    assert message.startswith("The password was refused:") and "too common" in message and "\n" not in message
    assert User.objects.get(username="viewer").password == before
    assert not check_password("password", before)


def test_it_prints_every_persona_with_its_role_and_organisation(demo: Programme) -> None:
    err = StringIO()
    call_command("demo", "--no-serve", "--password", "another-demo-password", stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    for username, organisation, role, _language in PERSONAS:
        assert any(
            line.split()[0] == username and str(Role(role).label) in line and f"({organisation})" in line
            for line in lines
            if line.startswith("  ")
        ), username
    assert any(
        line.split()[0] == "operator" and "Django admin" in line for line in lines if line.startswith("  ")
    )
    assert "another-demo-password" in err.getvalue()


def test_the_readme_documents_the_default_password() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"all with the password `([^`]+)`", readme)
    assert documented is not None
    assert documented.group(1) == DEFAULT_PASSWORD
