"""The outreach round: new people's codes are checked before anything is saved, and generated codes never
clash with codes already in use, whatever was deleted or saved meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.programmes.models import Organisation
from nextsteps.records import models as m
from nextsteps.records import round as rounds

pytestmark = pytest.mark.django_db

SA = "salvation-army-ro"


def round_post(*rows: dict[str, str], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "date": "2021-10-01",
        "locality": "Bucharest",
        "site_type": m.SiteType.objects.get(code="street").pk,
        "new-TOTAL_FORMS": str(len(rows)),
        "new-INITIAL_FORMS": "0",
    }
    for i, row in enumerate(rows):
        data.update({f"new-{i}-{name}": value for name, value in row.items()})
    data.update(changes)
    return data


def saved_counts() -> tuple[int, int]:
    return m.Person.objects.count(), m.OutreachVisit.objects.count()


def test_a_code_the_organisation_already_uses_is_a_field_error_and_saves_nothing(
    login: Callable[[str], Client],
) -> None:
    taken = m.Person.objects.filter(organisation__slug=SA).first()
    assert taken is not None
    before = saved_counts()
    response = login("outreach.sa").post(
        reverse("records:outreach-round"),
        round_post({"code": "SA-FRESH", "sex": "male"}, {"code": taken.code, "sex": "female"}),
    )
    assert response.status_code == 200
    rows = response.context["newcomers"].forms
    assert rows[1].errors["code"] and not rows[0].errors
    assert saved_counts() == before


def test_a_code_of_another_organisation_may_be_used_again(login: Callable[[str], Client]) -> None:
    elsewhere = m.Person.objects.filter(organisation__slug="ijm-ro").first()
    assert elsewhere is not None
    response = login("outreach.sa").post(
        reverse("records:outreach-round"), round_post({"code": elsewhere.code, "sex": "female"})
    )
    assert response.status_code == 302
    assert m.Person.objects.filter(organisation__slug=SA, code=elsewhere.code).exists()


def test_a_code_given_twice_in_one_round_is_a_field_error(login: Callable[[str], Client]) -> None:
    before = saved_counts()
    response = login("outreach.sa").post(
        reverse("records:outreach-round"),
        round_post({"code": "SA-TWICE", "sex": "male"}, {"code": "SA-TWICE", "sex": "female"}),
    )
    assert response.status_code == 200
    rows = response.context["newcomers"].forms
    assert not rows[0].errors and rows[1].errors["code"]
    assert saved_counts() == before


def test_generated_codes_follow_the_highest_one_after_a_delete() -> None:
    from tests import factories

    org = factories.organisation()
    prefix = f"{org.slug[:3].upper()}-"
    for n in (1, 2, 3):
        m.Person.objects.create(organisation=org, code=f"{prefix}{n:05d}")
    m.Person.objects.get(code=f"{prefix}00001", organisation=org).delete()
    # Two persons are left, so counting them would give 00003, which is taken.
    assert rounds._next_code(org) == f"{prefix}00004"
    assert rounds._next_code(org, reserved={f"{prefix}00004"}) == f"{prefix}00005"


def test_blank_codes_get_distinct_new_codes_beside_typed_ones(login: Callable[[str], Client]) -> None:
    org = Organisation.objects.get(slug=SA)
    upcoming = rounds._next_code(org)
    response = login("outreach.sa").post(
        reverse("records:outreach-round"),
        round_post({"code": "", "sex": "male", "birth_year": "1980"}, {"code": upcoming, "sex": "female"}),
    )
    assert response.status_code == 302
    new = m.Person.objects.filter(organisation=org, visits__date="2021-10-01", visits__household=None)
    codes = sorted(new.values_list("code", flat=True))
    assert len(codes) == 2 and upcoming in codes


def test_a_generated_code_taken_meanwhile_is_generated_again(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = m.Person.objects.filter(organisation__slug=SA).first()
    assert taken is not None
    real = rounds._next_code
    calls: list[str] = []

    def racing(org: Organisation, reserved: Any = ()) -> str:
        # The first answer is a code someone else saved after this one was computed.
        calls.append(org.slug)
        return taken.code if len(calls) == 1 else real(org, reserved)

    monkeypatch.setattr(rounds, "_next_code", racing)
    response = login("outreach.sa").post(
        reverse("records:outreach-round"), round_post({"code": "", "sex": "male", "birth_year": "1990"})
    )
    assert response.status_code == 302
    assert len(calls) == 2
    assert m.Person.objects.filter(organisation__slug=SA, code=taken.code).count() == 1


def test_a_round_that_keeps_clashing_says_so_and_saves_nothing(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = m.Person.objects.filter(organisation__slug=SA).first()
    assert taken is not None
    monkeypatch.setattr(rounds, "_next_code", lambda org, reserved=(): taken.code)
    before = saved_counts()
    response = login("outreach.sa").post(
        reverse("records:outreach-round"), round_post({"code": "", "sex": "male", "birth_year": "1990"})
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert saved_counts() == before


def test_a_round_refused_by_another_rule_says_that_rule_once(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import ValidationError

    from nextsteps.records import actions

    calls: list[int] = []

    def refuse(**kwargs: Any) -> Any:
        calls.append(1)
        raise ValidationError({"locality": "Refused by a rule of the visit."})

    monkeypatch.setattr(actions, "record_round", refuse)
    before = saved_counts()
    response = login("outreach.sa").post(
        reverse("records:outreach-round"), round_post({"code": "SA-RULE", "sex": "male"})
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Refused by a rule of the visit."]
    assert len(calls) == 1
    assert saved_counts() == before
