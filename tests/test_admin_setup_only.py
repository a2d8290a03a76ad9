"""Every model in the Django admin is set-up, never person-level, and every change made there (create,
change, bulk delete) is written to the app's audit trail: proved by walking the whole admin registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils.text import capfirst

from nextsteps.accounts.models import Membership, User
from nextsteps.audit.admin import AuditedAdmin, setup_only_problems
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.fields import EncryptedMixin
from nextsteps.programmes.models import Organisation
from nextsteps.records.kinds import KINDS
from nextsteps.records.models import Person, ServiceDelivery, ServiceType
from tests.test_access_matrix import manual_value
from tests.test_admin_audit import form_data

pytestmark = pytest.mark.django_db

REGISTRY = admin.site._registry
PERSON_LEVEL = {kind.model for kind in KINDS.values() if kind.person_level}
# Admins that only show: the trail is evidence, and accounts change only through the audited actions.
READ_ONLY = {"audit.AuditEntry", "accounts.User"}
# What an added copy of an existing record changes so that it is a new record (unique fields).
NEW_COPY = {
    "programmes.Programme": {"name": "Copy of the programme", "slug": "copy-programme"},
    "programmes.Organisation": {"name": "Copy of an organisation", "slug": "copy-organisation"},
    "programmes.Milestone": {"text_en": "A copied milestone"},
    "programmes.PeriodNarrative": {"start": "2030-01-01", "end": "2030-03-31"},
    "records.ServiceType": {"code": "copy-code"},
    "records.OutcomeType": {"code": "copy-code"},
    "records.SiteType": {"code": "copy-code"},
    "records.ParticipantGroup": {"code": "copy-code"},
    "records.ActivityType": {"code": "copy-code"},
    "records.ClosureReason": {"code": "copy-code"},
    "records.CampaignKind": {"code": "copy-code"},
    "casework.NeedArea": {"code": "copy-code"},
    "records.ExternalOrganisation": {"name": "Copy of an external organisation"},
    "records.Campaign": {"slug": "copy-campaign"},
    "identification.ExploitationType": {"code": "copy-code"},
    "identification.LabourSector": {"code": "copy-code"},
    "identification.RecruitmentMethod": {"code": "copy-code"},
    "identification.RecruiterRelationship": {"code": "copy-code"},
    "identification.ControlMeans": {"code": "copy-code"},
    "identification.ReferralSource": {"code": "copy-code"},
    "indicators.Indicator": {"code": "copy-indicator"},
    "indicators.ManualValue": {"start": "2030-01-01", "end": "2030-03-31"},
}
EDITABLE = sorted(label for label in NEW_COPY)


def shown_models() -> list[type[Model]]:
    """Every model the admin shows: those registered and those of their inlines."""
    models = []
    for model, model_admin in REGISTRY.items():
        models += [model, *(inline.model for inline in model_admin.inlines)]
    return models


def test_the_admin_holds_exactly_the_set_up_it_is_meant_to() -> None:
    # A new admin must be placed here on purpose, with a way to try it below.
    assert {model._meta.label for model in REGISTRY} == READ_ONLY | set(NEW_COPY)


@pytest.mark.parametrize("model", shown_models(), ids=lambda m: m._meta.label)
def test_no_model_in_the_admin_is_person_level(model: type[Model]) -> None:
    assert model not in PERSON_LEVEL
    assert model is not Membership
    for field in model._meta.get_fields():
        assert not isinstance(field, EncryptedMixin), field.name
        if field.is_relation and field.concrete:
            assert field.related_model not in PERSON_LEVEL, field.name


@pytest.mark.parametrize("model_admin", REGISTRY.values(), ids=lambda a: a.model._meta.label)
def test_every_admin_is_audited(model_admin: admin.ModelAdmin) -> None:  # type: ignore[type-arg]
    assert isinstance(model_admin, AuditedAdmin)


def test_the_system_check_refuses_a_person_level_or_unaudited_admin() -> None:
    assert setup_only_problems(admin.site) == []
    site = admin.AdminSite(name="trial")
    site.register(Person, AuditedAdmin)
    site.register(Membership)
    problems = {(p.id, str(p.msg).split(" ")[0]) for p in setup_only_problems(site)}
    assert problems == {
        ("audit.E102", "records.Person"),
        ("audit.E101", "The"),
        ("audit.E102", "accounts.Membership"),
    }


def url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def without_inline_rows(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a change form's data that adds no inline rows (they belong to the original)."""
    prefixes = {key[: -len("-TOTAL_FORMS")] for key in data if key.endswith("-TOTAL_FORMS")}
    kept = {k: v for k, v in data.items() if not any(k.startswith(f"{p}-") for p in prefixes)}
    for prefix in prefixes:
        kept.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return kept


def entries(model: type[Model], pk: Any, action: str) -> Any:
    return AuditEntry.objects.filter(
        model=model._meta.label, object_pk=str(pk), action=action, user__username="operator"
    )


@pytest.mark.parametrize("label", EDITABLE)
def test_adding_changing_and_bulk_deleting_in_the_admin_is_audited(
    login: Callable[[str], Client], label: str
) -> None:
    model = next(m for m in REGISTRY if m._meta.label == label)
    if not model._default_manager.exists():
        manual_value()
    original = model._default_manager.order_by("pk").first()
    assert original is not None
    client = login("operator")
    data = without_inline_rows(form_data(client.get(url(model, "change", original.pk))))
    data.update(NEW_COPY[label])
    response = client.post(url(model, "add"), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    copy = model._default_manager.order_by("-pk").first()
    assert copy is not None and copy.pk != original.pk
    assert entries(model, copy.pk, "create").exists()

    data = form_data(client.get(url(model, "change", copy.pk)))
    assert client.post(url(model, "change", copy.pk), data).status_code == 302
    assert entries(model, copy.pk, "change").exists()

    response = client.post(
        url(model, "changelist"), {"action": "delete_selected", "_selected_action": [copy.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not model._default_manager.filter(pk=copy.pk).exists()
    assert entries(model, copy.pk, "delete").exists()


@pytest.mark.parametrize("label", sorted(READ_ONLY))
def test_read_only_admins_change_nothing(login: Callable[[str], Client], label: str) -> None:
    model = next(m for m in REGISTRY if m._meta.label == label)
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None
    client = login("operator")
    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_a_deletion_that_would_reach_peoples_records_is_refused_and_names_none(
    login: Callable[[str], Client],
) -> None:
    organisation = Organisation.objects.get(slug="ijm-ro")
    codes = list(Person.objects.filter(organisation=organisation).values_list("code", flat=True))
    names = [p.family_name for p in Person.objects.filter(organisation=organisation)]
    assert codes and names
    client = login("operator")
    page = client.get(url(Organisation, "delete", organisation.pk)).content.decode()
    assert "Cannot delete organisation" in page
    assert not any(f">{code}<" in page or code in page for code in codes)
    assert not any(name in page for name in names)
    before = AuditEntry.objects.count()
    client.post(url(Organisation, "delete", organisation.pk), {"post": "yes"})
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert Person.objects.filter(organisation=organisation).count() == len(codes)
    assert AuditEntry.objects.count() == before


def test_a_managed_list_entry_in_use_is_not_deleted_and_its_uses_are_only_counted(
    login: Callable[[str], Client],
) -> None:
    used = ServiceType.objects.filter(servicedelivery__isnull=False).distinct().first()
    assert used is not None
    client = login("operator")
    response = client.post(
        url(ServiceType, "changelist"), {"action": "delete_selected", "_selected_action": [used.pk]}
    )
    page = response.content.decode()
    uses = ServiceDelivery.objects.filter(service_type=used)
    assert response.status_code == 200
    assert f"{capfirst(ServiceDelivery._meta.verbose_name_plural)}: {uses.count()}" in page
    assert not any(str(service) in page for service in uses)
    client.post(
        url(ServiceType, "changelist"),
        {"action": "delete_selected", "_selected_action": [used.pk], "post": "yes"},
    )
    assert ServiceType.objects.filter(pk=used.pk).exists()


def test_an_operator_needs_no_role_to_use_the_admin() -> None:
    assert not User.objects.get(username="operator").memberships.exists()
