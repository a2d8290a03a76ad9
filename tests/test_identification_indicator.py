"""Identifications are a source indicators count: by trafficking status, type of exploitation and the rest,
dated by the decision, each identification once however many of its types match."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from nextsteps.identification.actions import record_identification
from nextsteps.identification.models import ExploitationType
from nextsteps.indicators import engine
from nextsteps.privacy.erasure import erase_person
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import models as m
from tests import factories as f
from tests.factories import open_case

pytestmark = pytest.mark.django_db

START, END = dt.date(2021, 8, 1), dt.date(2021, 12, 31)


def identify(prog: Programme, org: Organisation, sex: str, **fields: Any) -> m.Person:
    status = fields.get("status", "identified")
    person = f.person(org, sex, born=dt.date(1995, 1, 1), survivor_status=status)
    case = open_case(
        acting_user=None, programme=prog, organisation=org, person=person, opened=dt.date(2021, 7, 1)
    )
    types = list(ExploitationType.objects.filter(code__in=fields.pop("types", ["sexual_exploitation"])))
    record_identification(case, acting_user=None, exploitation_types=types, **{"status": status, **fields})
    return person


@pytest.fixture
def programme() -> Programme:
    org = f.organisation()
    prog = f.programme(org)
    decided = {"decided_by": "police"}
    identify(prog, org, "female", decided_on=dt.date(2021, 9, 1), **decided)
    identify(
        prog,
        org,
        "female",
        decided_on=dt.date(2021, 10, 1),
        types=["sexual_exploitation", "forced_criminality"],
        **decided,
    )
    identify(prog, org, "male", decided_on=dt.date(2021, 11, 1), types=["forced_labour"], **decided)
    # Outside the period, and a presumption not dated yet: neither is counted.
    identify(prog, org, "female", decided_on=dt.date(2021, 6, 1), **decided)
    identify(prog, org, "female", status="presumed")
    return prog


def count(prog: Programme, measure: str = "records", **filters: Any) -> int | Decimal:
    return engine.value(f.indicator(prog, "identifications", measure, filters), START, END).total


def test_identifications_are_counted_by_decision_date_and_filters(programme: Programme) -> None:
    assert count(programme) == 3
    assert count(programme, "distinct_persons") == 3
    assert count(programme, status="identified") == 3
    assert count(programme, status="presumed") == 0
    assert count(programme, exploitation="forced_labour") == 1
    assert count(programme, exploitation=["sexual_exploitation", "forced_criminality"]) == 2
    assert count(programme, "distinct_persons", exploitation="sexual_exploitation", survivor=True) == 2


def test_the_sex_and_age_cells_come_from_the_person(programme: Programme) -> None:
    value = engine.value(f.indicator(programme, "identifications", "distinct_persons"), START, END)
    assert (value.sex_age["woman"], value.sex_age["man"], value.sex_age["girl"]) == (2, 1, 0)


def test_an_unknown_type_of_exploitation_is_refused_in_the_rule(programme: Programme) -> None:
    with pytest.raises(ValidationError) as refused:
        f.indicator(programme, "identifications", "records", {"exploitation": "piracy"})
    assert "filters" in refused.value.message_dict


def test_a_person_whose_presumption_has_no_date_yet_can_be_erased(programme: Programme) -> None:
    person = m.Person.objects.get(cases__programme=programme, survivor_status="presumed")
    erase_person(person, acting_user=None, clear_files=False)
    assert count(programme) == 3
