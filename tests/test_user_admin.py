"""Accounts in the Django admin: operators see users and their roles, and change none of them. Roles change
only through the Team page and `nextsteps user`; an organisation's administrator never reaches the admin."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import Membership, User
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Person

pytestmark = pytest.mark.django_db
MEMBERSHIP_ADD = "/admin/accounts/membership/add/"


def ijm_caseworker_role(user: User) -> dict[str, str]:
    return {
        "user": str(user.pk),
        "organisation": str(Organisation.objects.get(slug="ijm-ro").pk),
        "role": "caseworker",
    }


def test_an_organisations_administrator_cannot_reach_the_django_admin(
    login: Callable[[str], Client],
) -> None:
    client = login("admin")
    for path in ("/admin/", "/admin/programmes/programme/", reverse("admin:accounts_user_changelist")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), path


def test_the_old_attack_gives_the_administrator_no_role_in_another_organisation(
    login: Callable[[str], Client],
) -> None:
    """Found by the attack run: the administrator (a superuser then) gave themselves the caseworker role at
    IJM Romania at /admin/accounts/membership/add/ and read its survivors."""
    admin = User.objects.get(username="admin")
    ijm_person = Person.objects.filter(organisation__slug="ijm-ro").order_by("pk").first()
    assert ijm_person is not None
    client = login("admin")
    person_page = reverse("records:person-detail", args=[ijm_person.pk])
    assert client.get(person_page).status_code == 404
    response = client.post(MEMBERSHIP_ADD, ijm_caseworker_role(admin))
    assert response.status_code in (302, 403, 404)
    assert response.status_code != 302 or response["Location"].startswith("/admin/login/")
    assert not Membership.objects.filter(user=admin, organisation__slug="ijm-ro").exists()
    assert client.get(person_page).status_code == 404


def test_an_operator_finds_no_way_to_give_a_role_in_the_admin(login: Callable[[str], Client]) -> None:
    operator, viewer = User.objects.get(username="operator"), User.objects.get(username="viewer")
    client = login("operator")
    assert client.get(MEMBERSHIP_ADD).status_code == 404
    assert client.post(MEMBERSHIP_ADD, ijm_caseworker_role(operator)).status_code == 404
    inline = {
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-organisation": str(Organisation.objects.get(slug="ijm-ro").pk),
        "memberships-0-role": "caseworker",
    }
    for user in (operator, viewer):
        change = reverse("admin:accounts_user_change", args=[user.pk])
        assert client.post(change, {"username": user.username, **inline}).status_code == 403
    add = reverse("admin:accounts_user_add")
    new = {
        "username": "from.admin",
        "password1": "violet-harbour-lantern",
        "password2": "violet-harbour-lantern",
    }
    assert client.post(add, {**new, **inline}).status_code == 403
    assert not User.objects.filter(username="from.admin").exists()
    assert not Membership.objects.filter(organisation__slug="ijm-ro", user__in=[operator, viewer]).exists()


def test_an_operator_cannot_make_anyone_staff_or_set_their_password_in_the_admin(
    login: Callable[[str], Client],
) -> None:
    viewer = User.objects.get(username="viewer")
    client = login("operator")
    change = reverse("admin:accounts_user_change", args=[viewer.pk])
    assert (
        client.post(change, {"username": "viewer", "is_staff": "on", "is_superuser": "on"}).status_code == 403
    )
    password = reverse("admin:auth_user_password_change", args=[viewer.pk])  # its name in Django
    new = {"password1": "violet-harbour-lantern", "password2": "violet-harbour-lantern"}
    assert client.post(password, new).status_code == 403
    viewer.refresh_from_db()
    assert not viewer.is_staff and not viewer.is_superuser and not viewer.check_password(new["password1"])


def test_groups_permissions_and_second_factor_devices_are_not_in_the_admin(
    login: Callable[[str], Client],
) -> None:
    client = login("operator")
    for path in ("/admin/auth/group/", "/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/"):
        assert client.get(path).status_code == 404, path


def test_an_operator_sees_users_with_their_roles_read_only(login: Callable[[str], Client]) -> None:
    client = login("operator")
    html = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "caseworker.ijm" in html and "IJM" in html
    viewer = User.objects.get(username="viewer")
    page = client.get(reverse("admin:accounts_user_change", args=[viewer.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "viewer (reports only)" in html and 'name="memberships-0-role"' not in html


def test_the_admins_password_page_is_the_apps_audited_one(login: Callable[[str], Client]) -> None:
    response = login("operator").get(reverse("admin:password_change"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password")
