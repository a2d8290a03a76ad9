"""Case notes: dated, with their author, encrypted, inside the case's open period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from nextsteps.audit.models import AuditEntry
from nextsteps.casework import actions
from nextsteps.casework.models import CaseNote
from tests.casework_helpers import ijm_case, user

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_a_note_keeps_its_author_and_is_stored_encrypted() -> None:
    note = actions.add_note(ijm_case(), acting_user=user("caseworker.ijm"), date=TODAY, text="Ana is safe.")
    assert note.author == user("caseworker.ijm")
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM casework_casenote WHERE id = %s", [note.pk])
        (stored,) = cursor.fetchone()
    assert "Ana" not in stored
    assert CaseNote.objects.get(pk=note.pk).text == "Ana is safe."
    assert AuditEntry.objects.filter(
        model="casework.CaseNote", object_pk=str(note.pk), action="create"
    ).exists()


def test_a_note_in_the_future_or_before_the_case_opened_is_refused() -> None:
    case = ijm_case()
    for date in (TODAY + dt.timedelta(days=1), case.opened - dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as refusal:
            actions.add_note(case, acting_user=None, date=date, text="x")
        assert list(refusal.value.message_dict) == ["date"]
    assert not CaseNote.objects.filter(case=case).exists()


def test_an_empty_note_is_refused() -> None:
    with pytest.raises(ValidationError):
        actions.add_note(ijm_case(), acting_user=None, date=TODAY, text="")
