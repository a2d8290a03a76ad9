"""Erasure (and retention, which erases) empties what was written about what happened to a person on her
cases' identifications, and keeps the structured facts that figures count."""

from __future__ import annotations

import datetime as dt

import pytest

from nextsteps.audit.models import AuditEntry
from nextsteps.identification.actions import record_identification
from nextsteps.identification.models import CaseIdentification
from nextsteps.privacy.erasure import erase_person
from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db


def test_erasure_empties_the_account_and_localities_of_her_identifications() -> None:
    org = Organisation.objects.get(slug="ijm-ro")
    person = factories.person(org, survivor_status="identified", given_name="Zamfira")
    case = m.Case.objects.create(
        programme=org.programmes.get(), organisation=org, person=person, opened=dt.date(2021, 7, 1)
    )
    identification = record_identification(
        case,
        acting_user=None,
        status="identified",
        decided_by="police",
        decided_on=dt.date(2021, 6, 1),
        recruitment_countries=["RO"],
        recruitment_locality="Bârlad",
        exploitation_locality="Westland",
        account="Her uncle sold her to a gang in Westland.",
    )
    erase_person(person, acting_user=None, clear_files=False)
    after = CaseIdentification.objects.get(pk=identification.pk)
    assert (after.account, after.recruitment_locality, after.exploitation_locality) == ("", "", "")
    assert after.status == "identified" and [c.code for c in after.recruitment_countries] == ["RO"]
    entry = AuditEntry.objects.filter(
        action="change", model="identification.CaseIdentification", object_pk=str(identification.pk)
    ).last()
    assert entry is not None
    assert set(entry.fields) == {"account", "recruitment_locality", "exploitation_locality"}
