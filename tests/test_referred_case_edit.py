"""The case a receiving organisation opened on an accepted referral is its own: its caseworkers edit and close
it on the case form like any other, although its person belongs to the organisation that referred her."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.records.models import Case, ClosureReason
from nextsteps.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_the_receiving_organisation_closes_the_case_it_opened_on_a_referral(
    login: Callable[[str], Client],
) -> None:
    referral = Referral.objects.get(state=Referral.State.COMPLETED)
    case = referral.receiving_case
    assert case is not None and case.person.organisation_id != case.organisation_id
    client = login("caseworker.ijm")
    url = reverse("records:case-edit", args=[case.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["person"].queryset) == [case.person]
    data = {name: value for name, value in form.initial.items() if value is not None}
    closed = max(case.opened, *(s.date for s in case.services.all())) + dt.timedelta(days=1)
    response = client.post(
        url,
        {
            **data,
            # A posted person is ignored: the field is the case's own.
            "person": referral.case.person_id + 100_000,
            "status": "closed",
            "closed": closed.isoformat(),
            "closure_reason": ClosureReason.objects.get(code="goals_reached").pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.closed, case.person_id) == ("closed", closed, referral.case.person_id)
