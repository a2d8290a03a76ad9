"""`nextsteps user`: operators manage accounts on the server through the same actions as the Team page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from nextsteps.accounts.models import Membership, User
from nextsteps.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("user", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_add_prints_a_one_time_password_that_signs_in() -> None:
    out, err = run(
        "add", "new.operator", "--organisation", "ijm-ro", "--role", "caseworker", "--role", "viewer"
    )
    password = out.strip()
    assert "new.operator was added" in err
    assert authenticate(username="new.operator", password=password) is not None
    assert sorted(
        Membership.objects.filter(user__username="new.operator").values_list("role", flat=True)
    ) == [
        "caseworker",
        "viewer",
    ]
    assert AuditEntry.objects.filter(model="accounts.User", action="create", user=None).exists()


def test_role_gives_and_takes_away() -> None:
    run("role", "viewer", "--organisation", "dorcas-ro", "--add", "viewer")
    assert Membership.objects.filter(user__username="viewer", organisation__slug="dorcas-ro").exists()
    run("role", "viewer", "--organisation", "dorcas-ro", "--remove", "viewer")
    assert not Membership.objects.filter(user__username="viewer", organisation__slug="dorcas-ro").exists()


def test_deactivate_reactivate_and_reset_the_second_factor() -> None:
    run("deactivate", "viewer")
    assert not User.objects.get(username="viewer").is_active
    run("reactivate", "viewer")
    assert User.objects.get(username="viewer").is_active
    TOTPDevice.objects.create(user=User.objects.get(username="viewer"), name="phone", confirmed=True)
    run("reset-2fa", "viewer")
    assert not TOTPDevice.objects.filter(user__username="viewer").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("add", "x.y", "--organisation", "nowhere", "--role", "viewer"),
            "There is no organisation “nowhere”.",
        ),
        (("add", "x.y", "--organisation", "ijm-ro", "--role", "boss"), "Unknown role “boss”"),
        (("add", "x.y", "--organisation", "ijm-ro"), "Give the new user at least one role."),
        (("add", "viewer", "--organisation", "ijm-ro", "--role", "viewer"), "That user name is taken"),
        (("deactivate", "nobody"), "There is no user “nobody”."),
        (("deactivate", "admin"), "admin is the last administrator of"),
        (
            ("role", "admin", "--organisation", "next-steps-nl", "--remove", "administrator"),
            "last administrator",
        ),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(args: tuple[str, ...], message: str) -> None:
    users, memberships = User.objects.count(), Membership.objects.count()
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert User.objects.get(username="admin").is_active


def test_add_operator_makes_an_audited_operator_without_any_role() -> None:
    out, _err = run("add", "night.ops", "--operator")
    user = User.objects.get(username="night.ops")
    assert user.is_staff and user.is_superuser and not user.memberships.exists()
    assert authenticate(username="night.ops", password=out.strip()) is not None
    entry = AuditEntry.objects.get(model="accounts.User", object_pk=str(user.pk))
    assert (entry.action, entry.user, entry.organisation) == ("create", None, None)
    assert "is_superuser" in entry.fields


@pytest.mark.parametrize(
    "args",
    [
        ("add", "x.y", "--operator", "--organisation", "ijm-ro"),
        ("add", "x.y", "--operator", "--role", "viewer"),
        ("add", "x.y", "--role", "viewer"),
        ("role", "operator", "--organisation", "ijm-ro", "--add", "caseworker"),
    ],
)
def test_an_operator_gets_no_organisation_and_no_role(args: tuple[str, ...]) -> None:
    users, memberships = User.objects.count(), Membership.objects.count()
    with pytest.raises(CommandError):
        run(*args)
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)


def test_the_password_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEXTSTEPS_NEW_PASSWORD", "violet-harbour-lantern")
    out, _err = run("add", "env.user", "--organisation", "ijm-ro", "--role", "viewer")
    assert out == ""
    assert authenticate(username="env.user", password="violet-harbour-lantern") is not None
