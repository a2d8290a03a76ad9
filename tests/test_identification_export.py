"""A person's data-protection export holds her cases' identifications, in the export's language, and the audit
trail of who recorded and read them."""

from __future__ import annotations

import pytest

from nextsteps.identification.models import CaseIdentification
from nextsteps.privacy.export import person_data
from nextsteps.programmes.models import Programme

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_identification_of_each_case(demo: Programme) -> None:
    identification = CaseIdentification.objects.filter(
        case__organisation__slug="ijm-ro", exploitation_types__code="forced_labour"
    ).first()
    assert identification is not None
    data = person_data(identification.case.person, "ro")
    (case,) = data["cases"]
    fields = {item["field"]: item for item in case["identification"]}
    assert fields["account"]["value"] == identification.account
    assert fields["recruitment_locality"]["value"] == identification.recruitment_locality
    assert fields["exploitation_types"]["value"] == "Muncă forțată"
    assert fields["labour_sector"]["value"] in ("Agricultură", "Construcții")
    assert fields["status"]["value"] in (
        "victimă identificată a traficului de persoane",
        "victimă prezumată a traficului de persoane",
    )
    assert "România" in fields["recruitment_countries"]["value"]
    assert fields["means_of_control"]["label"] == "mijloace de control"
    # Bookkeeping, not data about her: the version that guards against lost updates is left out.
    assert "version" not in fields
    assert any(entry["record"] == "identificare" for entry in data["audit"])


def test_a_case_without_an_identification_exports_none(demo: Programme) -> None:
    identification = CaseIdentification.objects.filter(case__organisation__slug="ijm-ro").first()
    assert identification is not None
    person = identification.case.person
    identification.delete()
    (case,) = person_data(person, "en")["cases"]
    assert case["identification"] == []
