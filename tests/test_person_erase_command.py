"""`nextsteps person erase CODE`: anonymise a person after a confirmation; bad input is one line."""

from __future__ import annotations

import io
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.accounts.models import Membership, Role, User
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy import storage
from nextsteps.privacy.cli import busy_message
from nextsteps.privacy.models import Erasure
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    if "--user" not in args:
        args = (*args, "--user", officer().username)
    out = StringIO()
    call_command("person", "erase", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def officer() -> User:
    """A data-protection officer of every organisation there is when the command runs."""
    user, _created = User.objects.get_or_create(username="rights.officer")
    for organisation in Organisation.objects.all():
        Membership.objects.get_or_create(
            user=user, organisation=organisation, role=Role.DATA_PROTECTION_OFFICER
        )
    return user


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def person() -> m.Person:
    return factories.person(factories.organisation(), given_name="Ioana", family_name="Popa")


def test_it_erases_with_yes_and_prints_the_new_code(person: m.Person) -> None:
    out = run(person.code, "--yes")
    person.refresh_from_db()
    assert person.code.startswith("ERASED-") and person.code in out
    assert person.given_name == "" and Erasure.objects.filter(person=person, reason="request").exists()
    assert "Ioana" not in out


def test_the_erasure_names_the_officer_who_answered(person: m.Person) -> None:
    user = officer()
    run(person.code, "--yes", "--user", user.username)
    assert Erasure.objects.get(person=person).erased_by == user
    entry = AuditEntry.objects.filter(model="records.Person", object_pk=str(person.pk)).latest("pk")
    assert entry.user == user


def test_the_user_answering_the_request_must_be_named(person: m.Person) -> None:
    with pytest.raises(CommandError, match="--user"):
        call_command("person", "erase", person.code, "--yes", stdout=StringIO(), stderr=StringIO())
    assert not Erasure.objects.filter(person=person).exists()


def test_an_unknown_user_is_one_line(person: m.Person) -> None:
    with pytest.raises(CommandError) as refused:
        run(person.code, "--yes", "--user", "nobody")
    assert str(refused.value) == "There is no user “nobody”."
    assert not Erasure.objects.filter(person=person).exists()


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.COORDINATOR, None])
def test_only_the_data_protection_officer_of_the_persons_organisation_may_erase(
    person: m.Person, role: str | None
) -> None:
    user = User.objects.create(username="someone")
    # Officer of another organisation, and (but for None) something else in the person's own.
    Membership.objects.create(
        user=user, organisation=factories.organisation(), role=Role.DATA_PROTECTION_OFFICER
    )
    if role:
        Membership.objects.create(user=user, organisation=person.organisation, role=role)
    with pytest.raises(CommandError, match="is not the data-protection officer of"):
        run(person.code, "--yes", "--user", "someone")
    person.refresh_from_db()
    assert person.given_name == "Ioana" and not Erasure.objects.filter(person=person).exists()


def test_without_yes_and_without_a_terminal_nothing_is_erased(person: m.Person) -> None:
    with pytest.raises(CommandError, match="--yes"):
        run(person.code)
    person.refresh_from_db()
    assert person.given_name == "Ioana" and not Erasure.objects.filter(person=person).exists()


def test_at_a_terminal_typing_the_code_confirms(person: m.Person, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: person.code)
    run(person.code)
    assert Erasure.objects.filter(person=person).exists()


def test_at_a_terminal_another_answer_erases_nothing(
    person: m.Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    with pytest.raises(CommandError, match="did not match"):
        run(person.code)
    assert not Erasure.objects.filter(person=person).exists()


def test_a_person_is_not_erased_twice(person: m.Person) -> None:
    run(person.code, "--yes")
    person.refresh_from_db()
    with pytest.raises(CommandError, match="was erased already"):
        run(person.code, "--yes")


def test_an_unknown_code_is_one_line_in_the_users_language(demo: Programme) -> None:
    with translation.override("ro"):
        expected = gettext("There is no person with the code “%(code)s”.") % {"code": "NOPE-1"}
    with pytest.raises(CommandError) as refused:
        run("NOPE-1", "--yes", "--lang", "ro")
    assert str(refused.value) == expected


def test_a_person_of_another_organisation_is_not_found_under_this_one(person: m.Person) -> None:
    other = factories.organisation()
    with pytest.raises(CommandError, match="has no person with the code"):
        run(person.code, "--organisation", other.slug, "--yes")
    assert not Erasure.objects.filter(person=person).exists()


def test_on_the_command_line_bad_input_is_one_line_without_a_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests import keys
    from tests.commandline import nextsteps

    env = {"NEXTSTEPS_KEYS": keys.CURRENT, "NEXTSTEPS_SEARCH_KEY": keys.SEARCH}
    assert nextsteps("migrate", "-v0", data_dir=tmp_path, env=env).returncode == 0
    result = nextsteps("person", "erase", "NOPE-1", "--yes", "--user", "nobody", data_dir=tmp_path, env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == "CommandError: There is no user “nobody”."


def test_after_erasing_the_database_files_are_cleared_and_a_busy_database_is_reported(
    person: m.Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[set[str]] = []

    def busy(tables: Any = ()) -> bool:
        calls.append(set(tables))
        return False

    monkeypatch.setattr(storage, "clear_freed_bytes", busy)
    err = StringIO()
    call_command(
        "person", "erase", person.code, "--yes", "--user", officer().username, stdout=StringIO(), stderr=err
    )
    assert len(calls) == 1 and {"records_person", "records_servicedelivery"} <= calls[0]
    assert busy_message() in err.getvalue()
    person.refresh_from_db()
    assert person.given_name == "" and Erasure.objects.filter(person=person).exists()
