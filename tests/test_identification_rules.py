"""The rules of a case's identification, kept in the model and its action so that every path obeys them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from nextsteps.identification.actions import record_identification
from nextsteps.identification.models import (
    CaseIdentification,
    ControlMeans,
    ExploitationType,
    LabourSector,
)
from nextsteps.programmes.models import Organisation
from nextsteps.records import actions
from nextsteps.records import models as m
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
DECIDED: dict[str, Any] = {"decided_by": "police", "decided_on": dt.date(2021, 6, 1)}


def new_case(survivor_status: str = "identified", **person: Any) -> m.Case:
    org = Organisation.objects.get(slug="ijm-ro")
    return m.Case.objects.create(
        programme=org.programmes.get(),
        organisation=org,
        person=factories.person(org, survivor_status=survivor_status, **person),
        opened=dt.date(2021, 7, 1),
    )


def types(*codes: str) -> list[ExploitationType]:
    return list(ExploitationType.objects.filter(code__in=codes))


def refusal(case: m.Case, **fields: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        record_identification(case, acting_user=None, **fields)
    assert not CaseIdentification.objects.filter(case=case).exists() or "status" not in fields
    return refused.value.message_dict


# Every cell of the table in nextsteps/identification/models.py: survivor status x trafficking status.
AGREEMENT = [
    ("no", "presumed", False),
    ("no", "identified", False),
    ("no", "not_a_victim", True),
    ("presumed", "presumed", True),
    ("presumed", "identified", True),
    ("presumed", "not_a_victim", False),
    ("identified", "presumed", True),
    ("identified", "identified", True),
    ("identified", "not_a_victim", False),
]


@pytest.mark.parametrize(("survivor_status", "status", "agrees"), AGREEMENT)
def test_an_identification_must_agree_with_the_persons_survivor_status(
    survivor_status: str, status: str, agrees: bool
) -> None:
    case = new_case(survivor_status)
    if agrees:
        record_identification(case, acting_user=None, status=status, **DECIDED)
        assert CaseIdentification.objects.get(case=case).status == status
    else:
        assert "status" in refusal(case, status=status, **DECIDED)
        assert not CaseIdentification.objects.filter(case=case).exists()


@pytest.mark.parametrize(("survivor_status", "status", "agrees"), AGREEMENT)
def test_a_persons_survivor_status_must_agree_with_her_identifications(
    survivor_status: str, status: str, agrees: bool
) -> None:
    """The other side of the rule: the person changes while the identification stays."""
    start = {"presumed": "presumed", "identified": "presumed", "not_a_victim": "no"}[status]
    case = new_case(start)
    record_identification(case, acting_user=None, status=status, **DECIDED)
    person = m.Person.objects.get(pk=case.person_id)
    if agrees:
        actions.update_record(person, acting_user=None, survivor_status=survivor_status)
        assert m.Person.objects.get(pk=person.pk).survivor_status == survivor_status
    else:
        with pytest.raises(ValidationError) as refused:
            actions.update_record(person, acting_user=None, survivor_status=survivor_status)
        assert "survivor_status" in refused.value.message_dict
        assert m.Person.objects.get(pk=person.pk).survivor_status == start


def test_a_formal_decision_says_who_decided_and_when() -> None:
    errors = refusal(new_case(), status="identified")
    assert set(errors) == {"decided_by", "decided_on"}


def test_a_presumption_may_wait_for_its_decision() -> None:
    identification = record_identification(new_case("presumed"), acting_user=None, status="presumed")
    assert identification.decided_by == "" and identification.decided_on is None


@pytest.mark.parametrize(
    "decided_on",
    [TODAY + dt.timedelta(days=1), dt.date(1899, 12, 31), dt.date(1990, 3, 1)],
    ids=["future", "before-1900", "before-birth"],
)
def test_the_decision_date_is_neither_in_the_future_nor_before_the_person_was_born(
    decided_on: dt.date,
) -> None:
    case = new_case(born=dt.date(1990, 5, 1))
    errors = refusal(case, status="identified", decided_by="police", decided_on=decided_on)
    assert list(errors) == ["decided_on"]


def test_the_decision_date_is_not_before_the_year_of_birth_when_only_the_year_is_known() -> None:
    case = new_case(birth_year=1995)
    errors = refusal(case, status="identified", decided_by="ngo", decided_on=dt.date(1994, 12, 31))
    assert list(errors) == ["decided_on"]


def test_a_sector_goes_only_with_forced_labour() -> None:
    case = new_case()
    sector = LabourSector.objects.get(code="agriculture")
    errors = refusal(
        case,
        status="identified",
        exploitation_types=types("sexual_exploitation"),
        labour_sector=sector,
        **DECIDED,
    )
    assert list(errors) == ["labour_sector"]
    assert not CaseIdentification.objects.filter(case=case).exists()
    record_identification(
        case,
        acting_user=None,
        status="identified",
        exploitation_types=types("sexual_exploitation", "forced_labour"),
        labour_sector=sector,
        **DECIDED,
    )
    # Taking forced labour away later while the sector stays is refused too.
    with pytest.raises(ValidationError):
        record_identification(case, acting_user=None, exploitation_types=types("sexual_exploitation"))
    assert {t.code for t in CaseIdentification.objects.get(case=case).exploitation_types.all()} == {
        "sexual_exploitation",
        "forced_labour",
    }


def test_countries_are_iso_codes_stored_in_upper_case() -> None:
    case = new_case()
    identification = record_identification(
        case,
        acting_user=None,
        status="identified",
        recruitment_countries=["ro", " md"],
        exploitation_countries=["NL", "de"],
        **DECIDED,
    )
    stored = CaseIdentification.objects.get(pk=identification.pk)
    assert [c.code for c in stored.recruitment_countries] == ["MD", "RO"]
    assert [c.code for c in stored.exploitation_countries] == ["DE", "NL"]
    errors = refusal(new_case(), status="identified", recruitment_countries=["XX"], **DECIDED)
    assert errors == {
        "recruitment_countries": ["“XX” is not a country code of ISO 3166-1 (such as NL or RO)."]
    }


def test_recording_and_changing_are_audited_with_field_names_only() -> None:
    from nextsteps.audit.models import AuditEntry

    case = new_case()
    identification = record_identification(
        case,
        acting_user=None,
        status="presumed",
        means_of_control=list(ControlMeans.objects.filter(code="debt_bondage")),
        account="Recruited through a cousin.",
    )
    record_identification(case, acting_user=None, status="identified", **DECIDED)
    entries = AuditEntry.objects.filter(
        model="identification.CaseIdentification", object_pk=str(identification.pk)
    )
    assert [e.action for e in entries.order_by("pk")] == ["create", "change"]
    change = entries.order_by("pk").last()
    assert change is not None and set(change.fields) == {"status", "decided_by", "decided_on"}
    assert change.organisation == case.organisation
    assert "cousin" not in str(list(entries.values()))


def test_deleting_a_bare_case_takes_its_identification_along_with_an_audit_entry() -> None:
    """A case with services or outcomes is kept (nextsteps/records/actions.py); one without them may be
    deleted by a coordinator, and its identification goes with it, each in the audit trail."""
    from nextsteps.audit.models import AuditEntry

    case = new_case()
    identification = record_identification(case, acting_user=None, status="presumed")
    actions.delete_record(case, acting_user=None)
    assert not CaseIdentification.objects.filter(pk=identification.pk).exists()
    assert AuditEntry.objects.filter(
        action="delete", model="identification.CaseIdentification", object_pk=str(identification.pk)
    ).exists()
