"""export-records writes the sender's referrals and consents, the receiver's case with the referral it was
opened on, and the order in which to import the organisations' folders."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nextsteps.imports.export import import_order
from nextsteps.programmes.models import Programme
from nextsteps.referrals.actions import accept_referral
from nextsteps.referrals.models import Referral
from tests.importing import command
from tests.referrals import sent_referral, user

pytestmark = pytest.mark.django_db


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig") as stream:
        return list(csv.DictReader(stream))


def accepted() -> Referral:
    return accept_referral(acting_user=user("caseworker.ijm"), referral=sent_referral())


def export(tmp_path: Path, *args: str) -> None:
    command("export-records", str(tmp_path), "--programme", "next-steps", *args)


def test_the_senders_referrals_and_consents_are_exported(demo: Programme, tmp_path: Path) -> None:
    export(tmp_path, "--organisation", "next-steps-nl")
    (declined,) = read(tmp_path / "referrals.csv")
    referral = Referral.objects.get(state="declined")
    assert declined["external_id"] == referral.external_id == f"referral-{referral.pk}"
    assert (declined["case"], declined["to_organisation"], declined["state"]) == (
        referral.case.external_id,
        "ijm-ro",
        "declined",
    )
    assert declined["services"] == "legal_support" and declined["decline_reason"] == referral.decline_reason
    sharing = [row for row in read(tmp_path / "consents.csv") if row["purpose"] == "sharing"]
    assert [(row["person"], row["shared_with"]) for row in sharing] == [
        (referral.case.person.external_id, "ijm-ro")
    ]


def test_the_receiving_case_names_its_referral_and_not_the_other_organisations_person(
    demo: Programme, tmp_path: Path
) -> None:
    referral = accepted()
    export(tmp_path, "--organisation", "ijm-ro")
    referral.refresh_from_db()
    assert referral.receiving_case is not None
    (row,) = [r for r in read(tmp_path / "cases.csv") if r["referral"]]
    assert row["referral"] == f"next-steps-nl/{referral.external_id}"
    assert row["external_id"] == referral.receiving_case.external_id and row["person"] == ""


def test_the_folders_are_imported_senders_first(demo: Programme, tmp_path: Path) -> None:
    assert import_order(demo, ["next-steps-nl", "ijm-ro"]) == ["ijm-ro", "next-steps-nl"]
    accepted()
    assert import_order(demo, ["next-steps-nl", "ijm-ro", "betania"]) == [
        "betania",
        "next-steps-nl",
        "ijm-ro",
    ]
    export(tmp_path)
    order = (tmp_path / "import-order.txt").read_text(encoding="utf-8").split()
    assert order.index("next-steps-nl") < order.index("ijm-ro")
    assert sorted(order) == sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
