"""The rules of nextsteps/accounts/actions.py, whoever calls them: the Team page or `nextsteps user`."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from nextsteps.accounts import actions
from nextsteps.accounts.models import Membership, User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation

pytestmark = pytest.mark.django_db


def org(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def test_an_administrator_cannot_give_roles_in_an_organisation_they_do_not_administer() -> None:
    admin, viewer = User.objects.get(username="admin"), User.objects.get(username="viewer")
    with pytest.raises(ValidationError, match="You do not administer"):
        actions.add_role(acting_user=admin, user=viewer, organisation=org("ijm-ro"), role="caseworker")
    with pytest.raises(ValidationError, match="You do not administer"):
        actions.create_user(
            acting_user=admin,
            organisation=org("ijm-ro"),
            username="someone",
            language="en",
            roles=["caseworker"],
            password=actions.generate_password(),
        )
    assert not Membership.objects.filter(
        organisation__slug="ijm-ro", user__username__in=["viewer", "someone"]
    ).exists()
    assert not User.objects.filter(username="someone").exists()


def test_a_non_administrator_can_give_no_role_at_all() -> None:
    coordinator, viewer = User.objects.get(username="coordinator"), User.objects.get(username="viewer")
    with pytest.raises(ValidationError):
        actions.add_role(
            acting_user=coordinator, user=viewer, organisation=org("next-steps-nl"), role="coordinator"
        )


def test_a_weak_password_is_refused_and_nothing_is_created() -> None:
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        actions.create_user(
            acting_user=None,
            organisation=org("ijm-ro"),
            username="weak.one",
            language="en",
            roles=["viewer"],
            password="12345678901",
        )
    assert not User.objects.filter(username="weak.one").exists()
    assert AuditEntry.objects.count() == entries


def test_the_last_active_administrator_stays() -> None:
    admin = User.objects.get(username="admin")
    with pytest.raises(ValidationError, match="last administrator"):
        actions.remove_role(
            acting_user=None, user=admin, organisation=org("next-steps-nl"), role="administrator"
        )
    with pytest.raises(ValidationError, match="last administrator"):
        actions.set_active(acting_user=None, user=admin, active=False)


def test_a_second_administrator_can_be_removed_and_an_inactive_one_does_not_count() -> None:
    admin = User.objects.get(username="admin")
    second = User.objects.create(username="admin2")
    actions.add_role(acting_user=admin, user=second, organisation=org("next-steps-nl"), role="administrator")
    actions.set_active(acting_user=admin, user=second, active=False)
    # The inactive second administrator cannot manage anything: the active one is still the last.
    with pytest.raises(ValidationError, match="last administrator"):
        actions.remove_role(
            acting_user=None, user=admin, organisation=org("next-steps-nl"), role="administrator"
        )
    actions.set_active(acting_user=admin, user=second, active=True)
    actions.remove_role(
        acting_user=second, user=admin, organisation=org("next-steps-nl"), role="administrator"
    )
    assert not Membership.objects.filter(user=admin, role="administrator").exists()


def test_a_role_held_already_is_refused() -> None:
    with pytest.raises(ValidationError, match="already"):
        actions.add_role(
            acting_user=None,
            user=User.objects.get(username="viewer"),
            organisation=org("next-steps-nl"),
            role="viewer",
        )
