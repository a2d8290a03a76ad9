"""Managed lists (service, outcome, activity and site types, participant groups) are data that the
administrator edits in the Django admin, with a label in each language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nextsteps.records.models import (
    ActivityType,
    ManagedList,
    OutcomeType,
    ParticipantGroup,
    ServiceType,
    SiteType,
)

MANAGED_LISTS = [ServiceType, OutcomeType, ActivityType, SiteType, ParticipantGroup]


def admin_url(model: type[ManagedList], view: str) -> str:
    return reverse(f"admin:records_{model._meta.model_name}_{view}")


@pytest.mark.parametrize("model", MANAGED_LISTS, ids=lambda m: m.__name__)
def test_the_administrator_sees_each_list_with_its_labels_in_three_languages(
    login: Callable[[str], Client], model: type[ManagedList]
) -> None:
    response = login("operator").get(admin_url(model, "changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    first = model._default_manager.order_by("order", "code").first()
    assert first is not None, "the default lists are filled by a migration"
    for label in (first.label_nl, first.label_en, first.label_ro):
        assert label in html or label.replace("'", "&#x27;") in html


@pytest.mark.parametrize("model", MANAGED_LISTS, ids=lambda m: m.__name__)
def test_the_administrator_adds_an_entry_that_reports_label_in_each_language(
    login: Callable[[str], Client], model: type[ManagedList]
) -> None:
    data = {
        "code": "mentoring",
        "label_nl": "Begeleiding door een mentor",
        "label_en": "Mentoring",
        "label_ro": "Mentorat",
        "order": "50",
        "active": "on",
    }
    response = login("operator").post(admin_url(model, "add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = model._default_manager.get(code="mentoring")
    assert [entry.label(lang) for lang in ("nl", "en", "ro")] == [
        "Begeleiding door een mentor",
        "Mentoring",
        "Mentorat",
    ]
    with translation.override("ro"):
        assert str(entry) == "Mentorat"


@pytest.mark.parametrize("model", MANAGED_LISTS, ids=lambda m: m.__name__)
def test_an_entry_without_its_labels_is_refused(
    login: Callable[[str], Client], model: type[ManagedList]
) -> None:
    response = login("operator").post(admin_url(model, "add"), {"code": "nameless", "order": "1"})
    assert response.status_code == 200  # the form again, with its errors
    assert not model._default_manager.filter(code="nameless").exists()


def test_only_the_administrator_reaches_the_lists(login: Callable[[str], Client]) -> None:
    response = login("coordinator").get(admin_url(ServiceType, "changelist"))
    assert response.status_code == 302
