"""The Team page corrects a member's name and e-mail address, also of accounts made before they were asked
for: audited, by whoever administers every organisation the member works for."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import Membership, User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation

pytestmark = pytest.mark.django_db


def details_url(username: str) -> str:
    # The administrator's and the viewer's organisation in the demo.
    return reverse("team:details", args=["next-steps-nl", User.objects.get(username=username).pk])


def test_an_administrator_corrects_a_members_name_and_e_mail_and_it_is_audited(
    login: Callable[[str], Client],
) -> None:
    url = details_url("viewer")
    response = login("admin").post(
        url, {"first_name": " Eva ", "last_name": "Jansen", "email": "eva@example.org"}
    )
    assert response.status_code == 302
    viewer = User.objects.get(username="viewer")
    assert (viewer.first_name, viewer.last_name, viewer.email) == ("Eva", "Jansen", "eva@example.org")
    entry = AuditEntry.objects.filter(
        model="accounts.User", object_pk=str(viewer.pk), action="change"
    ).latest("pk")
    assert sorted(entry.fields) == ["email", "first_name", "last_name"]
    page = login("admin").get(response["Location"]).content.decode()
    assert "Eva Jansen" in page and "eva@example.org" in page


def test_a_wrong_e_mail_address_gets_a_field_error_and_changes_nothing(
    login: Callable[[str], Client],
) -> None:
    url = details_url("viewer")
    before = User.objects.get(username="viewer").first_name
    response = login("admin").post(url, {"first_name": "Eva", "last_name": "", "email": "not an address"})
    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert User.objects.get(username="viewer").first_name == before != "Eva"


def test_nothing_changed_writes_no_audit_entry(login: Callable[[str], Client]) -> None:
    viewer = User.objects.get(username="viewer")
    before = AuditEntry.objects.filter(model="accounts.User", object_pk=str(viewer.pk)).count()
    login("admin").post(
        details_url("viewer"),
        {"first_name": viewer.first_name, "last_name": viewer.last_name, "email": viewer.email},
    )
    assert AuditEntry.objects.filter(model="accounts.User", object_pk=str(viewer.pk)).count() == before


def test_a_member_who_also_works_elsewhere_is_refused_and_unchanged(login: Callable[[str], Client]) -> None:
    viewer = User.objects.get(username="viewer")
    other = Organisation.objects.exclude(memberships__user__username="admin").first()
    assert other is not None
    Membership.objects.create(user=viewer, organisation=other, role="viewer")
    before = viewer.first_name
    response = login("admin").post(details_url("viewer"), {"first_name": "Eva", "last_name": "", "email": ""})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    viewer.refresh_from_db()
    assert viewer.first_name == before != "Eva"
