"""The referrals template (imported by the sending organisation) and the cases template's `referral` column
(the receiving organisation's case opened on an accepted referral)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from nextsteps.imports.importer import ImportFailed, ImportResult
from nextsteps.privacy.models import CaseShare
from nextsteps.programmes.models import Programme
from nextsteps.records import models as m
from nextsteps.referrals.models import Referral
from tests.importing import run, write_csv
from tests.referrals import consent_to_share, nl_case, org

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
SENT, ANSWERED, DONE = (TODAY - dt.timedelta(days=d) for d in (5, 4, 1))
HEADER = [
    "external_id",
    "case",
    "to_organisation",
    "services",
    "reason",
    "urgency",
    "message",
    "state",
    "sent_on",
    "answered_on",
    "decline_reason",
    "completed_on",
    "withdrawn_on",
]


def row(case: m.Case, **cells: object) -> list[object]:
    values: dict[str, object] = {
        "external_id": "R-1",
        "case": case.external_id,
        "to_organisation": "ijm-ro",
        "services": "return_assistance; legal_support",
        "reason": "return",
        "urgency": "",
        "message": "She wants to go home to Iași.",
        "state": "accepted",
        "sent_on": SENT,
        "answered_on": ANSWERED,
        "decline_reason": "",
        "completed_on": "",
        "withdrawn_on": "",
    }
    values.update(cells)
    return [values[name] for name in HEADER]


def sender_case() -> m.Case:
    case = nl_case()
    if not case.external_id:
        case.external_id = f"case-{case.pk}"
        case.save()
    if not case.person.external_id:
        case.person.external_id = f"person-{case.person.pk}"
        case.person.save()
    return case


def import_referrals(tmp_path: Path, *rows: list[object]) -> ImportResult:
    path = write_csv(tmp_path / "referrals.csv", HEADER, rows)
    return run(Programme.objects.get(slug="next-steps"), org("next-steps-nl"), path)


def import_receiving_case(
    tmp_path: Path, referral: str, slug: str = "ijm-ro", person: str = ""
) -> ImportResult:
    cases = write_csv(
        tmp_path / "cases.csv",
        ["external_id", "person", "opened", "referral"],
        [["IJM-C-1", person, ANSWERED, referral]],
    )
    services = write_csv(
        tmp_path / "services.csv",
        ["external_id", "case", "service_type", "date"],
        [["IJM-S-1", "IJM-C-1", "legal_support", DONE]],
    )
    return run(Programme.objects.get(slug="next-steps"), org(slug), cases, services)


def errors(failed: pytest.ExceptionInfo[ImportFailed]) -> str:
    return "\n".join(error.line() for error in failed.value.result.errors)


def test_the_sending_organisation_imports_its_referrals_and_an_accepted_one_shares_the_case(
    demo: Programme, tmp_path: Path
) -> None:
    case = sender_case()
    consent_to_share(case)
    import_referrals(tmp_path, row(case))
    referral = Referral.objects.get(external_id="R-1")
    assert (referral.case, referral.from_organisation.slug, referral.to_organisation.slug) == (
        case,
        "next-steps-nl",
        "ijm-ro",
    )
    assert referral.state == "accepted" and referral.urgency == "normal"
    assert sorted(s.code for s in referral.services.all()) == ["legal_support", "return_assistance"]
    assert referral.message == "She wants to go home to Iași."
    # The same share the accept action gives, from the day it was accepted.
    share = CaseShare.objects.get(case=case, organisation=org("ijm-ro"))
    assert share.shared_on == ANSWERED


def test_importing_the_same_referrals_again_changes_nothing(demo: Programme, tmp_path: Path) -> None:
    case = sender_case()
    consent_to_share(case)
    import_referrals(tmp_path, row(case))
    again = import_referrals(tmp_path, row(case))
    assert (again.counts["referrals"].created, again.counts["referrals"].changed) == (0, 0)
    assert CaseShare.objects.filter(case=case).count() == 1


def test_a_referral_without_the_persons_consent_to_that_organisation_is_refused(
    demo: Programme, tmp_path: Path
) -> None:
    case = sender_case()
    consent_to_share(case, "betania")
    with pytest.raises(ImportFailed) as failed:
        import_referrals(tmp_path, row(case))
    assert "row 2, column “to_organisation”" in errors(failed)
    assert "Missing consent" in errors(failed) and "IJM" in errors(failed)
    assert not failed.value.result.written_rows
    assert not Referral.objects.filter(external_id="R-1").exists()
    assert not CaseShare.objects.filter(case=case).exists()


def test_a_referral_is_checked_against_the_consents_imported_with_it(demo: Programme, tmp_path: Path) -> None:
    case = sender_case()
    consents = write_csv(
        tmp_path / "consents.csv",
        ["external_id", "person", "purpose", "shared_with", "given_on"],
        [["CON-1", case.person.external_id, "sharing", "betania", SENT]],
    )
    referrals = write_csv(tmp_path / "referrals.csv", HEADER, [row(case)])
    programme, sender = Programme.objects.get(slug="next-steps"), org("next-steps-nl")
    with pytest.raises(ImportFailed) as failed:
        run(programme, sender, consents, referrals)
    assert "R-1: Missing consent" in errors(failed)
    assert not Referral.objects.filter(external_id="R-1").exists()
    write_csv(
        tmp_path / "consents.csv",
        ["external_id", "person", "purpose", "shared_with", "given_on"],
        [["CON-1", case.person.external_id, "sharing", "International Justice Mission Romania", SENT]],
    )
    run(programme, sender, consents, referrals)
    assert Referral.objects.get(external_id="R-1").state == "accepted"
    assert CaseShare.objects.filter(case=case, organisation=org("ijm-ro")).exists()


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"state": "completed"}, "completed_on", "needs the date it was completed"),
        ({"state": "declined"}, "decline_reason", "Say why the referral is declined."),
        (
            {"answered_on": SENT - dt.timedelta(days=1)},
            "answered_on",
            "cannot be answered or withdrawn before",
        ),
        (
            {"to_organisation": "next-steps-nl"},
            "to_organisation",
            "cannot be referred to its own organisation",
        ),
        ({"to_organisation": "Nobody"}, "to_organisation", "no organisation of this programme"),
        ({"services": ""}, "services", "required, but empty"),
    ],
)
def test_the_referral_rules_run_on_each_row(
    demo: Programme, tmp_path: Path, cells: dict[str, object], column: str, message: str
) -> None:
    case = sender_case()
    consent_to_share(case)
    with pytest.raises(ImportFailed) as failed:
        import_referrals(tmp_path, row(case, **cells))
    assert f"row 2, column “{column}”" in errors(failed) and message in errors(failed)
    assert not Referral.objects.filter(external_id="R-1").exists()


def test_two_open_referrals_of_a_case_to_one_organisation_are_refused(
    demo: Programme, tmp_path: Path
) -> None:
    case = sender_case()
    consent_to_share(case)
    with pytest.raises(ImportFailed) as failed:
        import_referrals(tmp_path, row(case), row(case, external_id="R-2"))
    assert "row 3" in errors(failed) and "already has an open referral" in errors(failed)


def test_the_receiving_organisation_imports_its_case_naming_the_referral(
    demo: Programme, tmp_path: Path
) -> None:
    case = sender_case()
    consent_to_share(case)
    import_referrals(tmp_path, row(case))
    import_receiving_case(tmp_path, "next-steps-nl/R-1")
    received = m.Case.objects.get(organisation__slug="ijm-ro", external_id="IJM-C-1")
    assert received.person == case.person
    assert Referral.objects.get(external_id="R-1").receiving_case == received
    assert received.services.get().service_type.code == "legal_support"
    again = import_receiving_case(tmp_path, "next-steps-nl/R-1")
    assert (again.counts["cases"].created, again.counts["cases"].changed) == (0, 0)


@pytest.mark.parametrize(
    ("referral", "slug", "state", "message"),
    [
        ("next-steps-nl/R-404", "ijm-ro", "accepted", "no referral of this name addressed to"),
        ("R-1", "ijm-ro", "accepted", "no referral of this name addressed to"),
        ("next-steps-nl/R-1", "betania", "accepted", "no referral of this name addressed to Betania"),
        ("next-steps-nl/R-1", "ijm-ro", "sent", "this referral is sent"),
        # A declined referral is none of the receiver's business any more: as if there were none.
        ("next-steps-nl/R-1", "ijm-ro", "declined", "no referral of this name addressed to"),
    ],
)
def test_a_case_naming_a_referral_it_cannot_have_been_opened_on_is_refused(
    demo: Programme, tmp_path: Path, referral: str, slug: str, state: str, message: str
) -> None:
    case = sender_case()
    consent_to_share(case)
    import_referrals(
        tmp_path,
        row(
            case,
            state=state,
            answered_on="" if state == "sent" else ANSWERED,
            decline_reason="No lawyer is free." if state == "declined" else "",
        ),
    )
    with pytest.raises(ImportFailed) as failed:
        import_receiving_case(tmp_path, referral, slug)
    assert "column “referral”" in errors(failed) and message in errors(failed)
    assert "Import the sending organisation's referrals first" in errors(failed)
    assert not m.Case.objects.filter(external_id="IJM-C-1").exists()


def test_a_case_names_the_person_or_the_referral(demo: Programme, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as failed:
        import_receiving_case(tmp_path, "")
    assert "fill in the person, or the referral" in errors(failed)
