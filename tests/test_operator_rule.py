"""Operators (staff or superuser accounts, the Django admin's users) hold no role in any organisation, and an
account with a role is never an operator: on every path, down to the database."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from nextsteps.accounts import actions
from nextsteps.accounts.models import Membership, User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation

pytestmark = pytest.mark.django_db
migration = importlib.import_module("nextsteps.accounts.migrations.0003_operators_hold_no_roles")


def operator(username: str = "ops") -> User:
    return User.objects.create_superuser(username, password="violet-harbour-lantern")


def ijm() -> Organisation:
    return Organisation.objects.get(slug="ijm-ro")


def test_no_demo_persona_with_a_role_is_staff_or_superuser() -> None:
    with_roles = User.objects.filter(memberships__isnull=False).distinct()
    assert with_roles.filter(username="admin").exists()
    assert not with_roles.filter(is_staff=True).exists()
    assert not with_roles.filter(is_superuser=True).exists()


def test_the_demo_operator_holds_no_role() -> None:
    demo_operator = User.objects.get(username="operator")
    assert demo_operator.is_staff and demo_operator.is_superuser
    assert not demo_operator.memberships.exists()


def test_the_database_refuses_a_role_for_an_operator() -> None:
    ops = operator()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=ops, organisation=ijm(), role="caseworker")
    assert not ops.memberships.exists()


def test_the_database_refuses_moving_a_role_to_an_operator() -> None:
    ops = operator()
    membership = Membership.objects.filter(user__username="caseworker.ijm").get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(user=ops)
    assert not ops.memberships.exists()


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_the_database_refuses_making_an_account_with_a_role_an_operator(flag: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(username="admin").update(**{flag: True})
    admin = User.objects.get(username="admin")
    assert not admin.is_staff and not admin.is_superuser


def test_a_form_gets_a_clear_message_for_an_operator_with_a_role() -> None:
    admin = User.objects.get(username="admin")
    admin.is_superuser = True
    with pytest.raises(ValidationError, match="use two separate accounts"):
        admin.full_clean()
    with pytest.raises(ValidationError, match="use two separate accounts"):
        Membership(user=operator(), organisation=ijm(), role="viewer").full_clean()


def test_no_action_gives_an_operator_a_role() -> None:
    ops = operator()
    with pytest.raises(ValidationError, match="use two separate accounts"):
        actions.add_role(acting_user=None, user=ops, organisation=ijm(), role="caseworker")
    assert not ops.memberships.exists()


def test_an_organisations_administrator_cannot_manage_an_operator() -> None:
    ops, admin = operator(), User.objects.get(username="admin")
    with pytest.raises(ValidationError, match="only an operator on the server manages it"):
        actions.set_active(acting_user=admin, user=ops, active=False)
    with pytest.raises(ValidationError, match="only an operator on the server manages it"):
        actions.reset_second_factor(acting_user=admin, user=ops)
    assert User.objects.get(pk=ops.pk).is_active


def test_only_an_operator_on_the_server_makes_an_operator() -> None:
    with pytest.raises(ValidationError, match="Only an operator on the server"):
        actions.create_operator(
            acting_user=User.objects.get(username="admin"),
            username="sneaky",
            language="en",
            password="violet-harbour-lantern",
        )
    assert not User.objects.filter(username="sneaky").exists()


def test_createsuperuser_makes_an_operator_that_nextsteps_user_gives_no_role(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "violet-harbour-lantern")
    call_command("createsuperuser", "--noinput", "--username", "root.ops", "--email", "", stdout=StringIO())
    with pytest.raises(CommandError, match="use two separate accounts"):
        call_command(
            "user",
            "role",
            "root.ops",
            "--organisation",
            "ijm-ro",
            "--add",
            "caseworker",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert not Membership.objects.filter(user__username="root.ops").exists()


def _triggers(statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for statement in statements[connection.vendor]:
            cursor.execute(statement)


def test_upgrading_takes_the_operator_flags_from_accounts_with_roles_with_an_audit_entry() -> None:
    # The state of a database before the upgrade: the demo's administrator was a superuser.
    _triggers({"sqlite": migration.SQLITE_REVERSE, "postgresql": migration.POSTGRESQL_REVERSE})
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    migration.clear_operator_flags_of_staff(apps, None)
    _triggers({"sqlite": migration.SQLITE, "postgresql": migration.POSTGRESQL})
    admin = User.objects.get(username="admin")
    assert not admin.is_staff and not admin.is_superuser
    entry = AuditEntry.objects.filter(model="accounts.User", object_pk=str(admin.pk)).latest("pk")
    assert entry.action == "change" and entry.fields == ["is_staff", "is_superuser"]
    assert entry.organisation is not None and entry.organisation.slug == "next-steps-nl"
    assert User.objects.get(username="operator").is_superuser
