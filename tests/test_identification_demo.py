"""The demo's survivors have identifications that agree with their survivor status (the demo's report
figures staying the same is tests/test_demo_report.py's)."""

from __future__ import annotations

import pytest

from nextsteps.identification.models import CaseIdentification, agrees
from nextsteps.programmes.models import Programme
from nextsteps.records import models as m

pytestmark = pytest.mark.django_db


def test_every_survivor_case_of_the_demo_has_an_identification_that_agrees(demo: Programme) -> None:
    cases = m.Case.objects.filter(programme=demo, organisation__slug__in=["ijm-ro", "next-steps-nl"]).exclude(
        person__survivor_status="no"
    )
    # 16 survivors, and IJM Romania's case for the woman the Dutch office referred to it.
    assert cases.count() == 17
    found = CaseIdentification.objects.filter(case__in=cases).select_related("case__person")
    assert found.count() == 17
    for identification in found:
        assert agrees(identification.case.person.survivor_status, identification.status)
        identification.full_clean()
        assert identification.exploitation_types.exists() and identification.account
    labour = found.filter(exploitation_types__code="forced_labour")
    assert labour.exists() and not labour.filter(labour_sector__isnull=True).exists()
