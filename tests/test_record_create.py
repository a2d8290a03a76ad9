"""Every kind of record can be created from its page by a role that records it: saved, in the user's
organisation, and written to the audit trail."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.audit.models import AuditEntry
from nextsteps.records import models as m
from nextsteps.records.kinds import KINDS

pytestmark = pytest.mark.django_db


def first(model: type[Any], **filters: Any) -> Any:
    found = model._default_manager.filter(**filters).first()
    assert found is not None, (model, filters)
    return found.pk


# Who records each kind, and a valid submission of its form.
VALID: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "person": (
        "outreach.sa",
        lambda: {"code": "NEW-PERSON", "sex": "female", "birth_year": "1990", "survivor_status": "no"},
    ),
    "household": (
        "outreach.sa",
        lambda: {
            "code": "NEW-HOUSEHOLD",
            "locality": "Bucharest",
            "members": [first(m.Person, organisation__slug="salvation-army-ro")],
        },
    ),
    "case": (
        "caseworker.sa",
        lambda: {
            "person": first(m.Person, organisation__slug="salvation-army-ro"),
            "opened": "2021-09-01",
            "status": "open",
            # Consent is asked at intake: a case opens with it (tests/test_case_consent_rule.py).
            "services_consent": "on",
        },
    ),
    "service": (
        "caseworker.ijm",
        lambda: {
            # A case open on the date: services are dated inside the case's open period.
            "case": first(m.Case, organisation__slug="ijm-ro", opened__lte="2021-09-02"),
            "service_type": first(m.ServiceType, code="legal_support"),
            "date": "2021-09-02",
        },
    ),
    "outcome": (
        "caseworker.ijm",
        lambda: {
            "case": first(m.Case, organisation__slug="ijm-ro", opened__lte="2021-09-03"),
            "outcome_type": first(m.OutcomeType, code="employed"),
            "date": "2021-09-03",
        },
    ),
    "visit": (
        "outreach.sa",
        lambda: {
            "date": "2021-09-04",
            "locality": "Bucharest",
            "site_type": first(m.SiteType, code="street"),
        },
    ),
    "activity": (
        "prevention.dorcas",
        lambda: {
            "activity_type": first(m.ActivityType, code="school_session"),
            "title": "New school session",
            "date": "2021-09-05",
            "locality": "Oradea",
            "attendance_total": "25",
            "attendance_girls": "10",
        },
    ),
    "volunteer": (
        "volunteers.dorcas",
        lambda: {"code": "VOL-NEW-1", "signed_up": "2021-09-06", "status": "active"},
    ),
    "campaign": (
        "volunteers.dorcas",
        lambda: {
            "name": "Spring gifts",
            "slug": "spring-gifts-new",
            "start": "2021-03-01",
            "end": "2021-03-31",
        },
    ),
    "distribution": (
        "volunteers.dorcas",
        lambda: {"date": "2021-09-07", "item": "blankets", "quantity": "12"},
    ),
    "partner_contact": (
        "coordinator",
        lambda: {
            "external_organisation": first(m.ExternalOrganisation),
            "kind": "ngo",
            "established": "2021-09-08",
            "status": "active",
        },
    ),
    "milestone": ("prevention.dorcas", lambda: {"date": "2021-09-09", "text_en": "School programme started"}),
    "story": ("caseworker.ijm", lambda: {"date": "2021-09-10", "text_en": "A new start in Oradea."}),
}


def test_every_kind_has_a_creation_case() -> None:
    assert VALID.keys() == KINDS.keys()


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_valid_submission_is_saved_and_audited(login: Callable[[str], Client], kind: str) -> None:
    persona, data = VALID[kind]
    spec = KINDS[kind]
    before = spec.model._default_manager.count()
    response = login(persona).post(reverse(f"records:{kind}-create"), data())
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    found = re.fullmatch(rf"/{spec.slug}/(\d+)/", response["Location"])
    assert found, response["Location"]
    record = spec.model._default_manager.get(pk=found.group(1))
    assert spec.model._default_manager.count() == before + 1
    entry = AuditEntry.objects.get(action="create", model=spec.model._meta.label, object_pk=str(record.pk))
    assert entry.user is not None and entry.user.username == persona
    organisation = record
    for part in spec.organisation_path.split("__"):
        organisation = getattr(organisation, part)
    assert entry.organisation_id == organisation.pk
