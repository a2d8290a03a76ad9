"""`nextsteps apply-retention`: a dry run lists who is due by code only; a run anonymises them."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.imports.models import ImportJob
from nextsteps.privacy import storage
from nextsteps.privacy.cli import busy_message
from nextsteps.privacy.models import Erasure
from nextsteps.programmes.models import Programme
from nextsteps.records import models as m
from tests import factories
from tests.factories import open_case

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("apply-retention", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def prog() -> Programme:
    org = factories.organisation()
    prog = factories.programme(org)
    prog.retention_months_after_closure = 24
    prog.save()
    return prog


def closed_long_ago(prog: Programme, **names: str) -> m.Person:
    who = factories.person(prog.organisations.get(), born=dt.date(1980, 5, 5), **names)
    open_case(
        acting_user=None,
        programme=prog,
        organisation=who.organisation,
        person=who,
        opened=dt.date(2000, 1, 1),
        closed=dt.date(2001, 1, 1),
        status="closed",
        closure_reason=m.ClosureReason.objects.get(code="goals_reached"),
    )
    return who


def test_a_dry_run_lists_codes_and_never_names_and_changes_nothing(prog: Programme) -> None:
    who = closed_long_ago(prog, given_name="Mirela", family_name="Vasilescu")
    out = run("--dry-run")
    assert who.code in out and "2001-01-01" in out and "24" in out
    assert "Mirela" not in out and "Vasilescu" not in out
    assert "1 person would be anonymised" in out
    who.refresh_from_db()
    assert who.given_name == "Mirela" and not Erasure.objects.exists()


def test_a_run_anonymises_everyone_due_and_audits_each_erasure(prog: Programme) -> None:
    due = [closed_long_ago(prog, given_name="Mirela") for _i in range(2)]
    out = run("--programme", prog.slug)
    assert "2 persons were anonymised" in out
    for who in due:
        who.refresh_from_db()
        assert who.given_name == "" and who.code.startswith("ERASED-")
        assert Erasure.objects.get(person=who).reason == "retention"
        entry = AuditEntry.objects.get(model="records.Person", object_pk=str(who.pk), action="change")
        assert entry.user is None  # the system, not a person, acted
    assert "0 persons were anonymised" in run()


def test_a_programme_without_a_retention_period_is_refused(demo: Programme) -> None:
    with pytest.raises(CommandError, match="sets no retention period"):
        run("--programme", "next-steps", "--dry-run")


def test_an_unknown_programme_is_one_line_in_the_users_language(demo: Programme) -> None:
    with translation.override("nl"):
        expected = gettext("There is no programme “%(slug)s”.") % {"slug": "nope"}
    assert expected != "There is no programme “nope”."  # translated already: this proves the language
    with pytest.raises(CommandError) as refused:
        run("--programme", "nope", "--lang", "nl")
    assert str(refused.value) == expected


def test_an_unknown_language_is_refused(demo: Programme) -> None:
    with pytest.raises(CommandError, match="Unknown language “de”"):
        run("--lang", "de")


def test_retention_erases_the_import_errors_that_quoted_them_too(prog: Programme) -> None:
    who = closed_long_ago(prog, given_name="Mirela", family_name="Vasilescu", phone="+40 722 000 999")
    job = ImportJob.objects.create(
        user=User.objects.get(username="coordinator"),
        programme=prog,
        organisation=who.organisation,
        language="en",
        status="failed",
        error_count=1,
        files=["persons.csv"],
        errors=json.dumps([["persons.csv", 2, "phone", "+40 722 000 999", "Already recorded."]]),
    )
    run()
    job.refresh_from_db()
    assert "000 999" not in job.errors and json.loads(job.errors)[0][:3] == ["persons.csv", 2, "phone"]


def test_the_database_files_are_cleared_once_a_run_and_a_busy_database_is_reported(
    prog: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[set[str]] = []

    def busy(tables: Any = ()) -> bool:
        calls.append(set(tables))
        return False

    monkeypatch.setattr(storage, "clear_freed_bytes", busy)
    due = [closed_long_ago(prog, given_name="Mirela") for _i in range(2)]
    err = StringIO()
    with translation.override("ro"):
        call_command("apply-retention", "--lang", "ro", stdout=StringIO(), stderr=err)
        expected = busy_message()
    assert len(calls) == 1 and {"records_person", "imports_importjob"} <= calls[0]
    assert expected in err.getvalue() and "apply-retention" in expected
    for who in due:
        who.refresh_from_db()
        assert who.given_name == ""  # the erasure stands


def test_a_run_with_no_one_due_leaves_the_database_file_alone_unless_a_clearing_is_owed(
    prog: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool] = []

    def clear(tables: Any = ()) -> bool:
        calls.append(True)
        return True

    monkeypatch.setattr(storage, "clear_freed_bytes", clear)
    call_command("apply-retention", stdout=StringIO(), stderr=StringIO())
    assert calls == []  # a rebuild of a large file makes other writers wait: not on every quiet night
    monkeypatch.setattr(storage, "pending", lambda: True)
    call_command("apply-retention", stdout=StringIO(), stderr=StringIO())
    assert calls == [True]


def test_a_clearing_that_could_not_be_done_is_remembered_until_one_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "nextsteps.sqlite3.clearing-pending"
    monkeypatch.setattr(storage, "_marker", lambda: marker)
    storage._remember_pending(True)
    assert storage.pending()
    storage._remember_pending(False)
    assert not storage.pending() and not marker.exists()
