"""A second sign-in step for every role that sees people: set-up with recovery codes, then each sign-in."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from nextsteps.accounts.models import Membership, Role, User
from nextsteps.accounts.security import SECOND_FACTOR_ROLES
from nextsteps.programmes.models import Organisation

pytestmark = pytest.mark.django_db


def password_only(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def current_code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_a_caseworker_reaches_no_page_before_the_second_step() -> None:
    client = password_only("caseworker.sa")
    for url in (reverse("home"), reverse("records:person-list"), reverse("reports")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:2fa-verify"))


def test_a_viewer_needs_no_second_step() -> None:
    assert password_only("viewer").get(reverse("home")).status_code == 200


def member(role: str) -> Client:
    user = User.objects.create_user(f"someone.{role}", password="x")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="next-steps-nl"), role=role
    )
    return password_only(user.username)


@pytest.mark.parametrize("role", sorted(SECOND_FACTOR_ROLES))
def test_every_role_that_sees_people_or_manages_users_needs_the_second_step(role: str) -> None:
    response = member(role).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:2fa-verify"))


@pytest.mark.parametrize("role", sorted(set(Role) - SECOND_FACTOR_ROLES))
def test_roles_that_see_no_people_need_no_second_step(role: str) -> None:
    assert member(role).get(reverse("home")).status_code == 200


def test_the_roles_split_as_intended() -> None:
    # A new role must be placed on purpose: this fails until it is added to one side here.
    assert set(Role) - SECOND_FACTOR_ROLES == {Role.PREVENTION_OFFICER, Role.VIEWER}


def test_staff_need_the_second_step_even_without_a_role() -> None:
    User.objects.create_user("staff.only", password="x", is_staff=True)
    response = password_only("staff.only").get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:2fa-verify"))


def test_setting_up_an_authenticator_gives_ten_recovery_codes_once() -> None:
    client = password_only("outreach.sa")
    assert client.get(reverse("accounts:2fa-verify"))["Location"] == reverse("accounts:2fa-setup")
    page = client.get(reverse("accounts:2fa-setup")).content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page)
    assert secret is not None
    assert 'src="data:image/svg+xml;base64,' in page
    wrong = client.post(reverse("accounts:2fa-setup"), {"code": "000000"})
    assert wrong.context["form"].errors["code"]
    # A failed code throttles the device for a moment (brute-force protection); a person would wait a second.
    TOTPDevice.objects.filter(user__username="outreach.sa").update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    key = base64.b32decode(secret.group(1) + "=" * (-len(secret.group(1)) % 8))
    done = client.post(reverse("accounts:2fa-setup"), {"code": f"{TOTP(key).token():06d}"})
    assert len(done.context["codes"]) == 10
    assert client.get(reverse("records:person-list")).status_code == 200


def test_a_recovery_code_works_once(login: Any) -> None:
    client = password_only("caseworker.ijm")
    device = TOTPDevice.objects.create(
        user=User.objects.get(username="caseworker.ijm"), name="phone", confirmed=False
    )
    codes = client.post(reverse("accounts:2fa-setup"), {"code": current_code(device)}).context["codes"]
    again = password_only("caseworker.ijm")
    assert again.post(reverse("accounts:2fa-verify"), {"code": codes[0]}).status_code == 302
    assert again.get(reverse("home")).status_code == 200
    third = password_only("caseworker.ijm")
    response = third.post(reverse("accounts:2fa-verify"), {"code": codes[0]})
    assert response.status_code == 200 and response.context["form"].errors["code"]
