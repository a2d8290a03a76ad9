"""The Django admin's sign-in page: the same lockout and the same second step as the app's, so it is no way
around them; and only operators get in."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import FailedSignIn

pytestmark = pytest.mark.django_db
PASSWORD = "test-persona-password"
ADMIN_LOGIN = "/admin/login/"


def attempt(username: str, password: str, address: str = "10.0.0.7") -> HttpResponse:
    return Client(REMOTE_ADDR=address).post(  # type: ignore[return-value]
        ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"}
    )


def test_the_right_password_signs_an_operator_in() -> None:
    assert attempt("operator", PASSWORD).status_code == 302


def test_an_operator_reaches_no_admin_page_before_the_second_step() -> None:
    client = Client()
    client.post(ADMIN_LOGIN, {"username": "operator", "password": PASSWORD, "next": "/admin/"})
    for path in ("/admin/", "/admin/programmes/programme/", "/admin/audit/auditentry/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("accounts:2fa-verify")), path


def test_an_organisations_administrator_is_not_signed_in_to_the_admin() -> None:
    response = attempt("admin", PASSWORD)
    assert response.status_code == 200
    assert "not authorized" in response.content.decode() or "staff account" in response.content.decode()


def test_failed_admin_sign_ins_are_recorded() -> None:
    attempt("operator", "wrong-password")
    assert FailedSignIn.objects.filter(username="operator", address="10.0.0.7").count() == 1


def test_the_admin_page_locks_an_account_after_repeated_failures_even_for_the_right_password() -> None:
    for _ in range(12):
        assert attempt("operator", "wrong-password").status_code == 200
    response = attempt("operator", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()


def test_failures_on_the_apps_page_lock_the_admin_page_too() -> None:
    app_login = "/accounts/login/"
    for _ in range(settings.NEXTSTEPS_LOCKOUT_ACCOUNT):
        Client(REMOTE_ADDR="10.0.0.8").post(app_login, {"username": "operator", "password": "wrong"})
    assert attempt("operator", PASSWORD, address="10.0.0.9").status_code == 200


def test_the_admin_page_locks_an_address_after_failures_across_accounts() -> None:
    for i in range(settings.NEXTSTEPS_LOCKOUT_ADDRESS):
        attempt(f"guess{i}", "x", address="10.7.7.7")
    assert "Too many failed sign-ins" in attempt("operator", PASSWORD, address="10.7.7.7").content.decode()
    assert attempt("operator", PASSWORD, address="10.7.7.8").status_code == 302
