"""The consents template: a person's consents recorded by their organisation, with the consent model's rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest

from nextsteps.imports.importer import ImportFailed, ImportResult
from nextsteps.privacy.models import Consent
from nextsteps.programmes.models import Programme
from nextsteps.records import models as m
from tests.importing import run, write_csv
from tests.referrals import org

pytestmark = pytest.mark.django_db

HEADER = [
    "external_id",
    "person",
    "purpose",
    "shared_with",
    "given_by",
    "given_on",
    "expires_on",
    "withdrawn_on",
]


def person() -> m.Person:
    found = m.Person.objects.filter(organisation__slug="next-steps-nl").order_by("pk").first()
    assert found is not None
    if not found.external_id:
        found.external_id = f"person-{found.pk}"
        found.save()
    return found


def import_consents(tmp_path: Path, *rows: Sequence[object]) -> ImportResult:
    path = write_csv(tmp_path / "consents.csv", HEADER, rows)
    return run(Programme.objects.get(slug="next-steps"), org("next-steps-nl"), path)


def test_consents_are_imported_for_the_organisations_persons_and_again_without_change(
    demo: Programme, tmp_path: Path
) -> None:
    who = person()
    rows = [
        ["CON-1", who.external_id, "sharing", "ijm-ro", "guardian", "2021-10-01", "2022-12-31", ""],
        ["CON-2", who.external_id, "publication", "", "", "2021-10-02", "", "2021-11-01"],
    ]
    import_consents(tmp_path, *rows)
    sharing, publication = Consent.objects.filter(external_id__in=["CON-1", "CON-2"]).order_by("external_id")
    assert (sharing.person, sharing.organisation.slug, sharing.shared_with) == (
        who,
        "next-steps-nl",
        org("ijm-ro"),
    )
    assert (sharing.given_by, sharing.expires_on) == ("guardian", dt.date(2022, 12, 31))
    assert (publication.given_by, publication.withdrawn_on) == ("person", dt.date(2021, 11, 1))
    result = import_consents(tmp_path, *rows)
    assert result.counts["consents"].unchanged == 2


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (["sharing", "", "", "2021-10-01", "", ""], "shared_with", "Name the organisation"),
        (["services", "ijm-ro", "", "2021-10-01", "", ""], "shared_with", "Only a consent for sharing"),
        (["sharing", "next-steps-nl", "", "2021-10-01", "", ""], "shared_with", "than the person's own"),
        (["sharing", "nobody", "", "2021-10-01", "", ""], "shared_with", "no organisation of this programme"),
        (["services", "", "", "2021-10-01", "2021-09-01", ""], "expires_on", "cannot end before"),
    ],
)
def test_the_consent_rules_run_on_each_row(
    demo: Programme, tmp_path: Path, cells: list[str], column: str, message: str
) -> None:
    with pytest.raises(ImportFailed) as failed:
        import_consents(tmp_path, ["CON-9", person().external_id, *cells])
    lines = "\n".join(error.line() for error in failed.value.result.errors)
    assert f"row 2, column “{column}”" in lines and message in lines
    assert not Consent.objects.filter(external_id="CON-9").exists()
