"""A person's data-protection export holds the referrals of her cases, with their message and answer."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from nextsteps.programmes.models import Programme
from nextsteps.referrals.models import Referral
from tests.test_person_export_command import officer

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_referrals_of_her_cases(demo: Programme) -> None:
    referral = Referral.objects.get(state=Referral.State.DECLINED)  # the demo's
    out = StringIO()
    call_command(
        "person",
        "export",
        referral.case.person.code,
        "--user",
        officer().username,
        stdout=out,
        stderr=StringIO(),
    )
    (case,) = [c for c in json.loads(out.getvalue())["cases"] if c["referrals"]]
    (exported,) = case["referrals"]
    assert exported["organisation"] == "IJM Romania" and exported["state"] == "declined"
    assert exported["services"] == ["Legal support"]
    assert exported["message"] == referral.message and exported["decline_reason"] == referral.decline_reason
