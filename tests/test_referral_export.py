"""export-records writes the sender's referrals and consents, the receiver's case with the referral it was
opened on, and the order in which to import the organisations' folders."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nextsteps.imports.export import import_order
from nextsteps.privacy.actions import record_consent
from nextsteps.programmes.models import Programme
from nextsteps.records import models as m
from nextsteps.referrals.actions import accept_referral, send_referral
from nextsteps.referrals.models import Referral
from tests.importing import command
from tests.referrals import TODAY, org

pytestmark = pytest.mark.django_db


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig") as stream:
        return list(csv.DictReader(stream))


def export(tmp_path: Path, *args: str) -> None:
    command("export-records", str(tmp_path), "--programme", "next-steps", *args)


def test_the_senders_referrals_and_consents_are_exported(demo: Programme, tmp_path: Path) -> None:
    export(tmp_path, "--organisation", "next-steps-nl")
    rows = {row["state"]: row for row in read(tmp_path / "referrals.csv")}
    assert sorted(rows) == ["completed", "declined"]
    declined, referral = rows["declined"], Referral.objects.get(state="declined")
    assert declined["external_id"] == referral.external_id == f"referral-{referral.pk}"
    assert (declined["case"], declined["to_organisation"], declined["state"]) == (
        referral.case.external_id,
        "ijm-ro",
        "declined",
    )
    assert declined["services"] == "legal_support" and declined["decline_reason"] == referral.decline_reason
    completed = Referral.objects.get(state="completed")
    assert rows["completed"]["services"] == "legal_support; return_assistance"
    assert (rows["completed"]["answered_on"], rows["completed"]["completed_on"]) == (
        "2022-01-06",
        "2022-02-28",
    )
    sharing = [row for row in read(tmp_path / "consents.csv") if row["purpose"] == "sharing"]
    assert sorted((row["person"], row["shared_with"]) for row in sharing) == sorted(
        (r.case.person.external_id, "ijm-ro") for r in (referral, completed)
    )


def test_the_receiving_case_names_its_referral_and_not_the_other_organisations_person(
    demo: Programme, tmp_path: Path
) -> None:
    # The receiver's folder first: the referral gets the external id the sender's export would give it.
    export(tmp_path, "--organisation", "ijm-ro")
    referral = Referral.objects.get(state="completed")
    assert referral.receiving_case is not None and referral.external_id == f"referral-{referral.pk}"
    (row,) = [r for r in read(tmp_path / "cases.csv") if r["referral"]]
    assert row["referral"] == f"next-steps-nl/{referral.external_id}"
    assert row["external_id"] == referral.receiving_case.external_id and row["person"] == ""


def test_the_folders_are_imported_senders_first(demo: Programme, tmp_path: Path) -> None:
    export(tmp_path)
    order = (tmp_path / "import-order.txt").read_text(encoding="utf-8").split()
    assert order.index("next-steps-nl") < order.index("ijm-ro")
    assert sorted(order) == sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert import_order(demo, ["next-steps-nl", "ijm-ro", "betania"]) == [
        "betania",
        "next-steps-nl",
        "ijm-ro",
    ]


def test_organisations_that_referred_to_each_other_come_last(demo: Programme) -> None:
    case = m.Case.objects.filter(organisation__slug="ijm-ro", status="open").order_by("pk").first()
    assert case is not None
    record_consent(
        acting_user=None,
        person=case.person,
        purpose="sharing",
        given_on=TODAY,
        shared_with=org("next-steps-nl"),
    )
    back = send_referral(
        acting_user=None,
        case=case,
        to_organisation=org("next-steps-nl"),
        services=m.ServiceType.objects.filter(code="legal_support"),
        reason=Referral.Reason.OTHER,
    )
    accept_referral(acting_user=None, referral=back)
    assert import_order(demo, ["next-steps-nl", "ijm-ro", "betania"]) == [
        "betania",
        "ijm-ro",
        "next-steps-nl",
    ]
