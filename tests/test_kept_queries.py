"""The lookups every request makes (its user, the second factor's device, the user's memberships), read by
statements compiled once (nextsteps/kept_queries.py). They must read exactly what the ORM reads, typed as
the ORM types it, and still end access the moment an account, a device or a membership changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from nextsteps.accounts import access
from nextsteps.accounts.backends import USER_BY_KEY, ModelBackend
from nextsteps.accounts.middleware import OTPMiddleware
from nextsteps.accounts.models import Membership, Role, User
from nextsteps.kept_queries import KeptQuery

pytestmark = pytest.mark.django_db


def fields(instance: Any) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_the_app_signs_in_with_the_kept_backend_and_middleware() -> None:
    assert settings.AUTHENTICATION_BACKENDS == ["nextsteps.accounts.backends.ModelBackend"]
    assert "nextsteps.accounts.middleware.OTPMiddleware" in settings.MIDDLEWARE
    assert "django_otp.middleware.OTPMiddleware" not in settings.MIDDLEWARE


def test_a_user_is_read_as_the_orm_reads_it_typed_alike() -> None:
    user = User.objects.get(username="caseworker.sa")
    User.objects.filter(pk=user.pk).update(last_login="2026-11-30T08:15:00Z", must_change_password=True)
    kept = ModelBackend().get_user(user.pk)
    assert kept is not None
    assert fields(kept) == fields(User.objects.get(pk=user.pk))
    # Typed by the database's converters: a date and time, a boolean, not the raw column.
    assert kept.last_login is not None and kept.last_login.year == 2026
    assert kept.must_change_password is True


def test_a_membership_brings_its_organisation_as_select_related_does() -> None:
    user = User.objects.get(username="coordinator")
    kept = access.MEMBERSHIPS_OF_USER.fetch(user.pk)
    orm = list(Membership.objects.filter(user_id=user.pk).select_related("organisation"))
    assert [fields(m) for m in kept] == [fields(m) for m in orm] and kept
    assert [model_to_dict(m.organisation) for m in kept] == [model_to_dict(m.organisation) for m in orm]
    with CaptureQueriesContext(connection) as captured:
        names = [m.organisation.name for m in kept]
    assert names and not captured


def test_each_query_is_compiled_once_and_each_fetch_is_one_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    original = SQLCompiler.as_sql

    def spy(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self.query.model.__name__ if self.query.model else "")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", spy)
    kept = KeptQuery(User, lambda key: User.objects.filter(pk=key))
    users = list(User.objects.order_by("pk")[:3])
    compiled.clear()
    with CaptureQueriesContext(connection) as captured:
        read = [kept.fetch(user.pk)[0].username for user in users]
    assert read == [user.username for user in users]
    assert compiled == ["User"] and len(captured) == 3


def test_an_unknown_key_reads_nothing() -> None:
    assert USER_BY_KEY.fetch(999_999) == []
    assert ModelBackend().get_user(999_999) is None
    assert ModelBackend().get_user("not a number") is None


def test_a_query_that_uses_its_key_twice_or_not_at_all_is_refused() -> None:
    with pytest.raises(ValueError, match="exactly once"):
        KeptQuery(User, lambda key: User.objects.filter(pk=key) | User.objects.filter(id=key)).fetch(1)
    with pytest.raises(ValueError, match="exactly once"):
        KeptQuery(User, lambda key: User.objects.filter(username="coordinator")).fetch(1)


def test_an_account_made_inactive_is_signed_out_on_its_next_request(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    assert client.get(reverse("records:person-list")).status_code == 200
    User.objects.filter(username="caseworker.sa").update(is_active=False)
    response = client.get(reverse("records:person-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_role_taken_away_counts_on_the_next_request(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    assert client.get(reverse("records:person-list")).status_code == 200
    Membership.objects.filter(user__username="caseworker.sa").update(role=Role.VIEWER)
    assert client.get(reverse("records:person-list")).status_code == 404


def test_a_verified_session_ends_when_its_device_is_removed(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    assert client.get(reverse("home")).status_code == 200
    TOTPDevice.objects.filter(user__username="caseworker.sa").delete()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:2fa-verify"))


def test_a_device_of_another_user_or_unconfirmed_verifies_nothing(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    other = TOTPDevice.objects.create(user=User.objects.get(username="coordinator"), name="x", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = other.persistent_id
    session.save()
    assert client.get(reverse("home")).status_code == 302
    client = login("caseworker.sa")
    TOTPDevice.objects.filter(user__username="caseworker.sa").update(confirmed=False)
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_device_verifies_as_the_authenticator_does(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    codes = StaticDevice.objects.create(user=User.objects.get(username="caseworker.sa"), name="backup")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = codes.persistent_id
    session.save()
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "persistent_id",
    ["", "nonsense", "otp_totp.totpdevice/x", "otp_totp.nosuchdevice/1", "accounts.user/1", "a.b.c/1"],
)
def test_a_persistent_id_that_names_no_device_verifies_nothing(persistent_id: str) -> None:
    assert OTPMiddleware(lambda request: None)._device_from_persistent_id(persistent_id) is None


def test_a_device_reads_as_django_otp_reads_it() -> None:
    device = TOTPDevice.objects.create(
        user=User.objects.get(username="caseworker.sa"), name="t", confirmed=True
    )
    kept = OTPMiddleware(lambda request: None)._device_from_persistent_id(device.persistent_id)
    assert kept is not None and fields(kept) == fields(TOTPDevice.from_persistent_id(device.persistent_id))
