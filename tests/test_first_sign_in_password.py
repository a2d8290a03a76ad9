"""A one-time password (set by an administrator on the Team page or by `nextsteps user add`) must be replaced
at the first sign-in: no other page opens before, the second sign-in step still comes first, and the JSON API
with a token is not concerned."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from nextsteps.accounts import actions
from nextsteps.accounts.models import User
from nextsteps.programmes.models import Organisation
from tests.apiclient import ApiClient, token_for

pytestmark = pytest.mark.django_db

ONE_TIME = "one-time-password-4417"
OWN = "quiet-river-orchard-17"


def new_user(username: str, role: str) -> User:
    return actions.create_user(
        acting_user=User.objects.get(username="admin"),
        organisation=Organisation.objects.get(slug="next-steps-nl"),
        username=username,
        language="en",
        roles=[role],
        password=ONE_TIME,
    )


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": ONE_TIME})
    assert response.status_code == 302
    return client


def test_a_user_added_on_the_team_page_must_change_the_password(login: Callable[[str], Client]) -> None:
    admin = login("admin")
    admin.post(
        reverse("team:user-add", args=["next-steps-nl"]),
        {
            "username": "new.viewer",
            "language": "en",
            "roles": ["viewer"],
            "password_choice": "choose",
            "password1": ONE_TIME,
            "password2": ONE_TIME,
        },
    )
    assert User.objects.get(username="new.viewer").must_change_password


def test_no_page_opens_before_the_one_time_password_is_replaced() -> None:
    new_user("first.viewer", "viewer")
    client = signed_in("first.viewer")
    for url in (reverse("home"), reverse("reports"), reverse("tokens:list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:password"), url
    page = client.get(reverse("accounts:password"))
    assert page.status_code == 200 and "one-time password" in page.content.decode()
    response = client.post(
        reverse("accounts:password"), {"old_password": ONE_TIME, "new_password1": OWN, "new_password2": OWN}
    )
    assert response.status_code == 302
    assert not User.objects.get(username="first.viewer").must_change_password
    assert client.get(reverse("home")).status_code == 200


def test_the_second_sign_in_step_comes_before_the_password_change() -> None:
    new_user("first.caseworker", "caseworker")
    client = signed_in("first.caseworker")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/")
    # The second-step pages themselves open.
    assert client.get(reverse("accounts:2fa-setup")).status_code == 200


def test_signing_out_still_works() -> None:
    new_user("leaving.viewer", "viewer")
    client = signed_in("leaving.viewer")
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_the_api_with_a_token_is_not_concerned() -> None:
    new_user("api.viewer", "viewer")
    client = ApiClient(token_for("api.viewer"))
    assert client.get("/api/v1/records/visits").status_code != 302


def test_the_user_command_sets_a_one_time_password() -> None:
    with mock.patch.dict(os.environ, {"NEXTSTEPS_NEW_PASSWORD": ONE_TIME}):
        call_command(
            "user",
            "add",
            "command.viewer",
            "--organisation",
            "next-steps-nl",
            "--role",
            "viewer",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert User.objects.get(username="command.viewer").must_change_password


def test_the_demo_personas_sign_in_with_the_password_they_were_given(login: Callable[[str], Client]) -> None:
    assert not User.objects.filter(username__in=["viewer", "coordinator"], must_change_password=True).exists()
    assert login("viewer").get(reverse("home")).status_code == 200


def test_a_new_user_has_a_full_name_and_an_optional_email_address(login: Callable[[str], Client]) -> None:
    admin = login("admin")
    admin.post(
        reverse("team:user-add", args=["next-steps-nl"]),
        {
            "username": "named.viewer",
            "first_name": "Ana",
            "last_name": "Pop",
            "email": "ana.pop@example.org",
            "language": "en",
            "roles": ["viewer"],
            "password_choice": "choose",
            "password1": ONE_TIME,
            "password2": ONE_TIME,
        },
    )
    user = User.objects.get(username="named.viewer")
    assert (user.get_full_name(), user.email) == ("Ana Pop", "ana.pop@example.org")
    assert "Ana Pop" in admin.get(reverse("team:index")).content.decode()
    refused = admin.post(
        reverse("team:user-add", args=["next-steps-nl"]),
        {"username": "bad.email", "email": "not-an-address", "language": "en", "roles": ["viewer"]},
    )
    assert refused.status_code == 200 and refused.context["form"].errors["email"]
    assert not User.objects.filter(username="bad.email").exists()
