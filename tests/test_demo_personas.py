"""ensure_personas: running it again resets the demo users' passwords and memberships, and adds nobody twice."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from nextsteps.accounts.models import Membership, User
from nextsteps.demo.load import ensure_personas
from nextsteps.demo.programme import PERSONAS
from nextsteps.programmes.models import Organisation

pytestmark = pytest.mark.django_db


def test_it_resets_each_personas_memberships_to_exactly_its_role() -> None:
    viewer = User.objects.get(username="viewer")
    Membership.objects.create(
        user=viewer, organisation=Organisation.objects.get(slug="ijm-ro"), role="caseworker"
    )
    Membership.objects.filter(user__username="admin").delete()
    User.objects.filter(username="dpo").update(is_active=False)
    users = User.objects.count()
    ensure_personas("reset-demo-password")
    assert User.objects.count() == users
    for username, organisation, role, _language in PERSONAS:
        assert list(
            Membership.objects.filter(user__username=username).values_list("organisation__slug", "role")
        ) == [(organisation, role)], username
    assert authenticate(username="viewer", password="reset-demo-password") is not None
    assert User.objects.get(username="dpo").is_active


def test_only_the_operator_is_staff_and_it_holds_no_role() -> None:
    User.objects.filter(username="operator").update(is_active=False)
    ensure_personas("reset-demo-password")
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["operator"]
    assert list(User.objects.filter(is_superuser=True).values_list("username", flat=True)) == ["operator"]
    assert not Membership.objects.filter(user__username="operator").exists()
    assert authenticate(username="operator", password="reset-demo-password") is not None
