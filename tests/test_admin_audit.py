"""The Django admin: the audit trail cannot be changed there, and set-up changed there (programmes'
thresholds and retention, organisations, indicators and their targets) is written to the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.indicators.models import Indicator, Target
from nextsteps.programmes.models import Organisation, Programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(login: Callable[[str], Client]) -> Client:
    return login("operator")


def url(obj: Model, view: str) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def form_data(response: Any) -> dict[str, Any]:
    """What the admin's change page would post back unchanged: the form's and every inline's values."""
    context = response.context
    forms = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    data: dict[str, Any] = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
            if field.field.show_hidden_initial:  # fields with a callable default, as the page renders them
                data[field.html_initial_name] = data[field.html_name]
    return data


def entries(obj: Model) -> Any:
    return AuditEntry.objects.filter(model=obj._meta.label, object_pk=str(obj.pk))


# The trail itself ---------------------------------------------------------------------------------------


def test_an_audit_entry_cannot_be_changed_in_the_admin(admin_client: Client) -> None:
    entry = AuditEntry.objects.exclude(fields=[]).first()
    assert entry is not None
    response = admin_client.post(url(entry, "change"), {"action": "view", "fields": "[]"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.action != "view" or entry.fields != []


def test_an_audit_entry_cannot_be_deleted_in_the_admin(admin_client: Client) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    assert admin_client.get(url(entry, "delete")).status_code == 403
    assert admin_client.post(url(entry, "delete"), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_audit_entries_cannot_be_added_or_bulk_deleted_in_the_admin(admin_client: Client) -> None:
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    pks = list(AuditEntry.objects.values_list("pk", flat=True)[:3])
    before = AuditEntry.objects.count()
    admin_client.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": pks, "post": "yes"},
    )
    assert AuditEntry.objects.count() >= before
    assert AuditEntry.objects.filter(pk__in=pks).count() == len(pks)


# Set-up changed in the admin ----------------------------------------------------------------------------


def test_changing_a_programmes_threshold_and_retention_is_audited(
    admin_client: Client, demo: Programme
) -> None:
    data = form_data(admin_client.get(url(demo, "change")))
    data.update(suppression_threshold="7", retention_months_after_closure="24")
    assert admin_client.post(url(demo, "change"), data).status_code == 302
    demo.refresh_from_db()
    assert (demo.suppression_threshold, demo.retention_months_after_closure) == (7, 24)
    entry = entries(demo).latest("pk")
    assert entry.action == "change" and entry.user is not None and entry.user.username == "operator"
    assert entry.fields == ["retention_months_after_closure", "suppression_threshold"]
    assert entry.acting_organisation is None  # operators work for no organisation


def test_a_threshold_below_two_is_refused_in_the_admin(admin_client: Client, demo: Programme) -> None:
    data = form_data(admin_client.get(url(demo, "change")))
    data.update(suppression_threshold="1")
    response = admin_client.post(url(demo, "change"), data)
    assert (
        response.status_code == 200 and "suppression_threshold" in response.context["adminform"].form.errors
    )
    assert not entries(demo).filter(action="change").exists()


def test_creating_changing_and_deleting_an_organisation_is_audited(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:programmes_organisation_add"),
        {"name": "Casa Speranta", "slug": "casa-speranta", "kind": "partner", "country": "RO"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation = Organisation.objects.get(slug="casa-speranta")
    created = entries(organisation).get()
    assert created.action == "create" and created.user is not None and created.user.username == "operator"
    data = form_data(admin_client.get(url(organisation, "change")))
    data["short_name"] = "Speranta"
    assert admin_client.post(url(organisation, "change"), data).status_code == 302
    assert entries(organisation).latest("pk").fields == ["short_name"]
    pk = organisation.pk
    assert admin_client.post(url(organisation, "delete"), {"post": "yes"}).status_code == 302
    assert not Organisation.objects.filter(pk=pk).exists()
    assert AuditEntry.objects.filter(
        model="programmes.Organisation", object_pk=str(pk), action="delete"
    ).exists()


def test_changing_an_indicator_and_its_targets_is_audited(admin_client: Client, demo: Programme) -> None:
    indicator = Indicator.objects.filter(pillar__programme=demo, targets__isnull=False).first()
    assert indicator is not None
    target = indicator.targets.order_by("pk").first()
    assert target is not None
    data = form_data(admin_client.get(url(indicator, "change")))
    prefix = next(k for k in data if k.endswith("-TOTAL_FORMS"))[: -len("-TOTAL_FORMS")]
    index = next(
        i for i in range(int(data[f"{prefix}-TOTAL_FORMS"])) if data[f"{prefix}-{i}-id"] == target.pk
    )
    data[f"{prefix}-{index}-target"] = str((target.target or 0) + 1)
    response = admin_client.post(url(indicator, "change"), data)
    assert response.status_code == 302
    changed = entries(target).latest("pk")
    assert (changed.action, changed.fields, changed.user.username) == ("change", ["target"], "operator")  # type: ignore[union-attr]
    # Deleting a target through the indicator's page.
    data = form_data(admin_client.get(url(indicator, "change")))
    data[f"{prefix}-{index}-DELETE"] = "on"
    assert admin_client.post(url(indicator, "change"), data).status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()
    assert entries(target).filter(action="delete").exists()
