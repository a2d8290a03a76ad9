"""The records a user may read (`access.scoped`, `access.scoped_in_parts`) are a query built once a day for each
set of organisations and copied for each request: the copy answers exactly what a query built afresh would,
consents and shares are read when the copy runs, and a new day builds the query again with that day's date."""

from __future__ import annotations

import datetime as dt
import types
from typing import Any

import pytest

from nextsteps.accounts import access
from nextsteps.accounts.models import User
from nextsteps.privacy import consents
from nextsteps.privacy.models import Consent
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db


def on_day(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """`date.today()` is `day` for the scope and for the shares' consent condition."""

    class Day(dt.date):
        @classmethod
        def today(cls) -> Any:
            return day

    fake = types.SimpleNamespace(date=Day, datetime=dt.datetime, timedelta=dt.timedelta)
    monkeypatch.setattr(access, "dt", fake)
    monkeypatch.setattr(consents, "dt", fake)


def test_the_scope_is_built_once_for_the_same_organisations_and_day(monkeypatch: pytest.MonkeyPatch) -> None:
    access.KEPT_SCOPES.clear()
    built: list[str] = []
    build = access._scope

    def counted(user: Any, kind: str, action: str) -> Any:
        built.append(kind)
        return build(user, kind, action)

    monkeypatch.setattr(access, "_scope", counted)
    # Two requests of one user, each with a user object of its own (memberships read again).
    for _request in range(2):
        user = User.objects.get(username="caseworker.sa")
        access.scoped(user, "person").count()
        access.scoped_in_parts(user, "person")
    assert built == ["person"]
    # A colleague with the same rights in the same organisation reads the same query.
    colleague = User.objects.get(username="caseworker.sa")
    access.scoped(colleague, "person").count()
    # Another organisation's caseworker, and another kind, get queries of their own.
    access.scoped(User.objects.get(username="caseworker.ijm"), "person").count()
    access.scoped(colleague, "case").count()
    assert built == ["person", "person", "case"]


def test_the_kept_query_is_never_read_itself() -> None:
    access.KEPT_SCOPES.clear()
    user = User.objects.get(username="caseworker.sa")
    assert list(access.scoped(user, "person")[:3])
    whole, parts = access.scoped_in_parts(user, "person")
    list(whole[:3])
    for part in parts:
        list(part[:3])
    for kept_whole, kept_parts in access.KEPT_SCOPES.values():
        assert kept_whole._result_cache is None
        assert all(part._result_cache is None for part in kept_parts)


def test_a_share_made_after_the_query_was_kept_is_read_at_once() -> None:
    access.KEPT_SCOPES.clear()
    user = User.objects.get(username="caseworker.sa")
    case = m.Case.objects.filter(organisation__slug="ijm-ro").first()
    assert case is not None
    assert not access.scoped(user, "person").filter(pk=case.person_id).exists()
    factories.an_ijm_case_shared_with_the_salvation_army()
    assert (
        access.scoped(User.objects.get(username="caseworker.sa"), "person").filter(pk=case.person_id).exists()
    )


def test_a_new_day_builds_the_query_with_that_days_consents(monkeypatch: pytest.MonkeyPatch) -> None:
    access.KEPT_SCOPES.clear()
    case = factories.an_ijm_case_shared_with_the_salvation_army()
    today = dt.date.today()
    Consent.objects.filter(person=case.person, purpose=Consent.Purpose.SHARING).update(expires_on=today)
    user = User.objects.get(username="caseworker.sa")
    assert access.scoped(user, "person").filter(pk=case.person_id).exists()
    whole, parts = access.scoped_in_parts(user, "person")
    assert whole.filter(pk=case.person_id).exists() and parts[1].filter(pk=case.person_id).exists()

    # The next day the consent no longer holds: the share opens nothing, though today's query was kept.
    on_day(monkeypatch, today + dt.timedelta(days=1))
    user = User.objects.get(username="caseworker.sa")
    assert not access.scoped(user, "person").filter(pk=case.person_id).exists()
    whole, parts = access.scoped_in_parts(user, "person")
    assert not whole.filter(pk=case.person_id).exists()
    assert not any(part.filter(pk=case.person_id).exists() for part in parts)
    assert {key[-1] for key in access.KEPT_SCOPES} == {today + dt.timedelta(days=1)}


def test_the_own_part_leaves_out_what_is_shared_and_nothing_else() -> None:
    case = factories.an_ijm_case_shared_with_the_salvation_army()
    user = User.objects.get(username="caseworker.sa")
    shared = access.scoped(user, "person")
    own = access.scoped_own(user, "person")
    assert shared.filter(pk=case.person_id).exists() and not own.filter(pk=case.person_id).exists()
    assert set(own.values_list("pk", flat=True)) == set(
        shared.exclude(pk=case.person_id).values_list("pk", flat=True)
    )
    # A kind no case brings along has no shared part: its own records are all it reads.
    assert set(access.scoped_own(user, "household").values_list("pk", flat=True)) == set(
        access.scoped(user, "household").values_list("pk", flat=True)
    )
