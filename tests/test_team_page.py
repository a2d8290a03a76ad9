"""The Team page: an administrator manages the people of their own organisations, and only those."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from nextsteps.accounts.models import Membership, User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation

pytestmark = pytest.mark.django_db
NL = "next-steps-nl"


def new_user(client: Client, **extra: object) -> object:
    data = {
        "username": "new.worker",
        "language": "ro",
        "roles": ["caseworker", "viewer"],
        "password_choice": "generate",
        **extra,
    }
    return client.post(reverse("team:user-add", args=[NL]), data)


def member_url(name: str, username: str, slug: str = NL) -> str:
    return reverse(f"team:{name}", args=[slug, User.objects.get(username=username).pk])


def test_it_lists_the_members_of_the_administrators_organisation_with_their_roles(
    login: Callable[[str], Client],
) -> None:
    html = login("admin").get(reverse("team:index")).content.decode()
    assert "coordinator" in html and "programme coordinator" in html and "viewer (reports only)" in html
    assert "caseworker.ijm" not in html  # IJM Romania is not the administrator's organisation


def test_its_query_count_does_not_depend_on_the_number_of_members(login: Callable[[str], Client]) -> None:
    client = login("admin")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("team:index")).status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first request also renews the session
    before = queries()
    organisation = Organisation.objects.get(slug=NL)
    for i in range(5):
        user = User.objects.create(username=f"extra{i}")
        Membership.objects.create(user=user, organisation=organisation, role="viewer")
    assert queries() == before


def test_it_adds_a_user_with_a_generated_password_shown_once(login: Callable[[str], Client]) -> None:
    response = new_user(login("admin"))
    assert response.status_code == 200  # type: ignore[attr-defined]
    password = response.context["password"]  # type: ignore[attr-defined]
    assert password in response.content.decode()  # type: ignore[attr-defined]
    assert response["Cache-Control"] == "no-store"  # type: ignore[index]
    user = User.objects.get(username="new.worker")
    assert user.language == "ro" and not user.is_staff
    assert authenticate(username="new.worker", password=password) == user
    assert sorted(user.memberships.values_list("organisation__slug", "role")) == [
        (NL, "caseworker"),
        (NL, "viewer"),
    ]
    assert AuditEntry.objects.filter(model="accounts.User", object_pk=str(user.pk), action="create").exists()
    assert (
        AuditEntry.objects.filter(
            model="accounts.Membership", action="create", user__username="admin"
        ).count()
        == 2
    )
    # The member's page does not show it again.
    assert password not in login("admin").get(member_url("member", "new.worker")).content.decode()


def test_it_adds_a_user_with_a_password_the_administrator_chose(login: Callable[[str], Client]) -> None:
    chosen = "violet-harbour-lantern-42"
    response = new_user(login("admin"), password_choice="choose", password1=chosen, password2=chosen)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert authenticate(username="new.worker", password=chosen) is not None


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"password_choice": "choose", "password1": "password123", "password2": "password123"}, "password1"),
        ({"password_choice": "choose", "password1": "violet-harbour-9", "password2": "other"}, "password2"),
        ({"roles": []}, "roles"),
        ({"username": "coordinator"}, "username"),
        ({"username": "has space"}, "username"),
    ],
)
def test_bad_input_gets_a_field_error_and_adds_nobody(
    login: Callable[[str], Client], extra: dict[str, object], field: str
) -> None:
    users = User.objects.count()
    response = new_user(login("admin"), **extra)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.context["form"].errors[field]  # type: ignore[attr-defined]
    assert User.objects.count() == users


def test_it_gives_and_takes_away_a_role(login: Callable[[str], Client]) -> None:
    client = login("admin")
    assert client.post(member_url("role-add", "viewer"), {"role": "prevention_officer"}).status_code == 302
    assert Membership.objects.filter(user__username="viewer", role="prevention_officer").exists()
    assert client.post(member_url("role-remove", "viewer"), {"role": "prevention_officer"}).status_code == 302
    assert not Membership.objects.filter(user__username="viewer", role="prevention_officer").exists()
    assert AuditEntry.objects.filter(
        model="accounts.Membership", action="delete", user__username="admin"
    ).exists()


def test_the_last_administrator_cannot_lose_the_role_or_be_deactivated(
    login: Callable[[str], Client],
) -> None:
    client = login("admin")
    response = client.post(member_url("role-remove", "admin"), {"role": "administrator"}, follow=True)
    assert "is the last administrator of" in response.content.decode()
    assert Membership.objects.filter(user__username="admin", role="administrator").exists()
    response = client.post(member_url("deactivate", "admin"), follow=True)
    assert "is the last administrator of" in response.content.decode()
    assert User.objects.get(username="admin").is_active


def test_it_deactivates_and_reactivates_a_user(login: Callable[[str], Client]) -> None:
    viewer = login("viewer")
    client = login("admin")
    assert client.post(member_url("deactivate", "viewer")).status_code == 302
    assert not User.objects.get(username="viewer").is_active
    # The deactivated user's session ends with it.
    assert viewer.get(reverse("home")).status_code == 302
    assert client.post(member_url("reactivate", "viewer")).status_code == 302
    assert User.objects.get(username="viewer").is_active


def test_it_resets_the_second_factor_so_the_user_enrols_again(login: Callable[[str], Client]) -> None:
    coordinator = login("coordinator")
    user = User.objects.get(username="coordinator")
    StaticDevice.objects.create(user=user, name="recovery codes")
    assert login("admin").post(member_url("second-factor-reset", "coordinator")).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    response = coordinator.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:2fa-setup"))
    assert AuditEntry.objects.filter(object_pk=str(user.pk), fields=["second_factor"]).exists()


def test_a_user_who_also_works_elsewhere_is_not_deactivated_by_one_organisations_administrator(
    login: Callable[[str], Client],
) -> None:
    user = User.objects.create(username="two.hats")
    Membership.objects.create(user=user, organisation=Organisation.objects.get(slug=NL), role="viewer")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="ijm-ro"), role="caseworker"
    )
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = login("admin")
    response = client.post(member_url("deactivate", "two.hats"), follow=True)
    assert "also works for organisations you do not administer" in response.content.decode()
    client.post(member_url("second-factor-reset", "two.hats"))
    user.refresh_from_db()
    assert user.is_active and TOTPDevice.objects.filter(user=user).exists()


def test_other_organisations_and_their_people_do_not_exist_for_the_administrator(
    login: Callable[[str], Client],
) -> None:
    client = login("admin")
    assert client.get(reverse("team:user-add", args=["ijm-ro"])).status_code == 404
    assert client.post(reverse("team:user-add", args=["ijm-ro"]), {"username": "x"}).status_code == 404
    # Someone of IJM Romania, reached through the administrator's own organisation: still 404.
    assert client.get(member_url("member", "caseworker.ijm")).status_code == 404
    assert client.post(member_url("deactivate", "caseworker.ijm")).status_code == 404
    assert User.objects.get(username="caseworker.ijm").is_active
    assert client.get(member_url("member", "caseworker.ijm", slug="ijm-ro")).status_code == 404


def test_a_role_in_an_organisation_one_does_not_administer_is_refused(login: Callable[[str], Client]) -> None:
    # Posting another organisation's slug ends at 404 before anything is given.
    client = login("admin")
    url = reverse("team:role-add", args=["ijm-ro", User.objects.get(username="viewer").pk])
    assert client.post(url, {"role": "caseworker"}).status_code == 404
    assert not Membership.objects.filter(user__username="viewer", organisation__slug="ijm-ro").exists()


def test_an_operator_does_not_exist_on_the_team_page_and_gets_no_role_there(
    login: Callable[[str], Client],
) -> None:
    operator = User.objects.get(username="operator")
    client = login("admin")
    assert "operator" not in [
        member["user"].username
        for team in client.get(reverse("team:index")).context["teams"]
        for member in team["members"]
    ]
    for name in ("member", "role-add", "deactivate", "second-factor-reset"):
        target = reverse(f"team:{name}", args=[NL, operator.pk])
        assert client.post(target, {"role": "caseworker"}).status_code == 404, name
    assert not operator.memberships.exists()
    assert User.objects.get(pk=operator.pk).is_active
