"""Removing a record asks why (required, plain text, at most 500 characters), on the confirm page and in the
API; the reason is kept, encrypted, with the removal's audit entry and shown on the audit trail page. An edit
takes an optional reason the same way."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry, EntryReason
from nextsteps.records import models as m
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db

Api = Callable[[str], ApiClient]
WHY = "Entered twice: the same session was typed in by two volunteers."


def nl_service() -> m.ServiceDelivery:
    service = m.ServiceDelivery.objects.filter(case__organisation__slug="next-steps-nl").first()
    assert service is not None
    return service


def removal_entry(obj: object) -> AuditEntry:
    return AuditEntry.objects.select_related("reason").get(
        action="delete",
        model=obj._meta.label,  # type: ignore[attr-defined]
        object_pk=str(obj.pk),  # type: ignore[attr-defined]
    )


def test_the_page_refuses_a_removal_without_a_reason(login: Callable[[str], Client]) -> None:
    service = nl_service()
    url = reverse("records:service-delete", args=[service.pk])
    client = login("coordinator")
    for reason in ("", "   ", "x" * 501):
        response = client.post(url, {"reason": reason})
        assert response.status_code == 200
        assert response.context["form"].errors["reason"]
    assert m.ServiceDelivery.objects.filter(pk=service.pk).exists()
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_the_page_keeps_the_reason_encrypted_with_the_removal(login: Callable[[str], Client]) -> None:
    service = nl_service()
    page = login("coordinator").get(reverse("records:service-delete", args=[service.pk]))
    assert b'name="reason"' in page.content
    response = login("coordinator").post(
        reverse("records:service-delete", args=[service.pk]), {"reason": f"  {WHY}  "}
    )
    assert response.status_code == 302
    entry = removal_entry(service)
    assert entry.reason.text == WHY
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {EntryReason._meta.db_table} WHERE entry_id = %s", [entry.pk])
        stored = cursor.fetchone()[0]
    assert WHY not in stored


def test_the_api_refuses_a_removal_without_a_reason(api: Api) -> None:
    service = nl_service()
    client = api("coordinator")
    path = f"/api/v1/records/services/{service.pk}"
    assert client.delete(path).status_code == 422
    too_long = client.delete(path, {"reason": "x" * 501})
    assert too_long.status_code == 422 and too_long.json()["errors"]["reason"]
    assert client.delete(path, {"reason": 12}).status_code == 422
    assert client.delete(path, {"reason": WHY, "colour": "red"}).status_code == 422
    assert m.ServiceDelivery.objects.filter(pk=service.pk).exists()
    assert client.delete(path, {"reason": WHY}).status_code == 204
    assert removal_entry(service).reason.text == WHY


def test_the_audit_trail_shows_the_reason_to_its_readers(login: Callable[[str], Client]) -> None:
    service = nl_service()
    login("coordinator").post(reverse("records:service-delete", args=[service.pk]), {"reason": WHY})
    for reader in ("admin", "dpo"):
        page = login(reader).get(reverse("audit"), {"action": "delete"})
        assert WHY in page.content.decode()
    assert login("viewer").get(reverse("audit")).status_code == 404


def test_an_edit_keeps_an_optional_reason_with_its_change(login: Callable[[str], Client]) -> None:
    volunteer = m.Volunteer.objects.filter(organisation__slug="dorcas-ro").first()
    assert volunteer is not None
    client = login("volunteers.dorcas")
    url = reverse("records:volunteer-edit", args=[volunteer.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in ((f.html_name, f.value()) for f in form)
        if value is not None and not isinstance(value, list)
    }
    data["locality"] = "Iași"
    data["correction_reason"] = "The locality was typed wrong."
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    entry = AuditEntry.objects.get(action="change", model="records.Volunteer", object_pk=str(volunteer.pk))
    assert entry.reason.text == "The locality was typed wrong."
