"""Recording a service delivered to a case: saved and audited, or shown again with the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.records import actions
from nextsteps.records import models as m

pytestmark = pytest.mark.django_db


def ijm_case() -> m.Case:
    case = m.Case.objects.filter(organisation__slug="ijm-ro").first()
    assert case is not None
    return case


def service_post(case: m.Case) -> dict[str, Any]:
    return {
        "case": case.pk,
        "service_type": m.ServiceType.objects.get(code="legal_support").pk,
        "date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "note": "Court hearing prepared",
    }


def test_a_service_is_saved_on_its_case_and_audited(login: Callable[[str], Client]) -> None:
    case = ijm_case()
    response = login("caseworker.ijm").post(
        reverse("records:case-service", args=[case.pk]), service_post(case)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("records:case-detail", args=[case.pk])
    service = m.ServiceDelivery.objects.filter(case=case).order_by("-pk").first()
    assert service is not None and service.note == "Court hearing prepared"
    assert AuditEntry.objects.filter(
        action="create", model="records.ServiceDelivery", object_pk=str(service.pk)
    ).exists()


def test_a_service_the_model_refuses_is_shown_again_not_called_saved(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ValidationError({"date": "Refused by the model."})

    monkeypatch.setattr(actions, "save_new", refuse)
    case = ijm_case()
    before = m.ServiceDelivery.objects.count()
    response = login("caseworker.ijm").post(
        reverse("records:case-service", args=[case.pk]), service_post(case)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["Refused by the model."]
    assert not list(response.context["messages"])
    assert m.ServiceDelivery.objects.count() == before
