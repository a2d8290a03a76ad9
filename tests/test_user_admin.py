"""Users and their memberships in the Django admin, for set-up by staff."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import Membership, User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation

pytestmark = pytest.mark.django_db


def test_users_and_memberships_are_in_the_admin(login: Callable[[str], Client]) -> None:
    client = login("admin")
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_membership_changelist")).status_code == 200
    viewer = User.objects.get(username="viewer")
    html = client.get(reverse("admin:accounts_user_change", args=[viewer.pk])).content.decode()
    assert 'name="memberships-0-role"' in html and 'name="language"' in html


def test_a_user_made_in_the_admin_gets_a_validated_password_and_a_role(
    login: Callable[[str], Client],
) -> None:
    client = login("admin")
    add = reverse("admin:accounts_user_add")
    inline = {
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-organisation": str(Organisation.objects.get(slug="ijm-ro").pk),
        "memberships-0-role": "caseworker",
    }
    weak = {"username": "from.admin", "language": "ro", "password1": "password", "password2": "password"}
    assert client.post(add, {**weak, **inline}).status_code == 200
    assert not User.objects.filter(username="from.admin").exists()
    good = {**weak, "password1": "violet-harbour-lantern", "password2": "violet-harbour-lantern"}
    assert client.post(add, {**good, **inline}).status_code == 302
    user = User.objects.get(username="from.admin")
    assert Membership.objects.filter(user=user, organisation__slug="ijm-ro", role="caseworker").exists()
    assert AuditEntry.objects.filter(
        model="accounts.Membership", action="create", organisation__slug="ijm-ro"
    ).exists()
