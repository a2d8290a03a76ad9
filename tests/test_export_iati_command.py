"""`nextsteps export iati`: IATI 2.03 activity files that validate against the official schema."""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from nextsteps.exports.iati import recipient_countries
from nextsteps.programmes.models import Programme
from tests import factories as f

REPO = Path(__file__).resolve().parent.parent
# These tests are about the file's structure and exact figures; tests/test_external_reports.py checks the
# default, external audience.
ARGS = ["--programme", "next-steps", "--from", "2021-08-01", "--to", "2021-12-31", "--audience", "internal"]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def iati_folder_candidates() -> list[Path]:
    """../shared/iati beside the repository; in a git worktree, also beside the main checkout."""
    candidates = [REPO / ".." / "shared" / "iati"]
    dot_git = REPO / ".git"
    if dot_git.is_file():  # a worktree: ".git" names <main>/.git/worktrees/<name>
        gitdir = Path(dot_git.read_text().split(":", 1)[1].strip())
        candidates.append(gitdir.parents[2] / ".." / "shared" / "iati")
    return [c.resolve() for c in candidates]


@cache
def schema() -> etree.XMLSchema | None:
    for folder in iati_folder_candidates():
        path = folder / "iati-activities-schema.xsd"
        if path.exists():
            return etree.XMLSchema(etree.parse(str(path)))
    return None


def codes(codelist: str) -> set[str]:
    for folder in iati_folder_candidates():
        path = folder / "codelists" / f"{codelist}.xml"
        if path.exists():
            return {code.text or "" for code in etree.parse(str(path)).iter("code")}
    return set()


def require_schema() -> etree.XMLSchema:
    found = schema()
    if found is None:
        message = f"IATI schema not found in {', '.join(map(str, iati_folder_candidates()))}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def export(*args: str) -> etree._Element:
    out = StringIO()
    call_command("export", "iati", *args, stdout=out, stderr=StringIO())
    root = etree.fromstring(out.getvalue().encode("utf-8"))
    require_schema().assertValid(root)
    return root


def indicators(root: etree._Element) -> dict[str, etree._Element]:
    return {i.find("reference").get("code"): i for i in root.iter("indicator")}


def actual(indicator: etree._Element, **dimensions: str) -> str | None:
    for element in indicator.iter("actual"):
        found = {d.get("name"): d.get("value") for d in element.iter("dimension")}
        if found == dimensions:
            return element.get("value")
    raise AssertionError(f"no actual with dimensions {dimensions}")


# Validity ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("split", [False, True])
def test_the_export_validates_against_the_iati_schema(demo: Programme, split: bool) -> None:
    root = export(*ARGS, *(["--split-dimensions"] if split else []))
    assert root.get("version") == "2.03"
    assert len(root.findall("iati-activity")) == 1


@pytest.mark.parametrize("split", [False, True])
def test_a_period_without_records_validates_and_reports_zeros(demo: Programme, split: bool) -> None:
    args = [
        "--programme",
        "next-steps",
        "--from",
        "2030-01-01",
        "--to",
        "2030-03-31",
        "--audience",
        "internal",
    ]
    root = export(*args, *(["--split-dimensions"] if split else []))
    values = {a.get("value") for a in root.iter("actual")}
    assert values == {"0"}
    assert list(root.iter("target")) == []  # no targets were set for 2030
    assert list(root.iter("baseline")) == []


def test_codes_come_from_the_iati_codelists(demo: Programme) -> None:
    require_schema()
    root = export(*ARGS, "--split-dimensions")
    result_types, measures = codes("ResultType"), codes("IndicatorMeasure")
    assert {"1", "2"} <= result_types and "1" in measures
    assert [r.get("type") for r in root.iter("result")] == ["1", "2", "1"]
    assert {r.get("type") for r in root.iter("result")} <= result_types
    assert {i.get("measure") for i in root.iter("indicator")} == {"1"}  # unit
    vocabularies = {r.get("vocabulary") for r in root.iter("reference")}
    assert vocabularies <= codes("IndicatorVocabulary")


# Content -----------------------------------------------------------------------------------------------


def test_it_carries_the_programmes_iati_settings(demo: Programme) -> None:
    activity = export(*ARGS).find("iati-activity")
    assert activity.findtext("iati-identifier") == "NL-KVK-00000000-NS-RO"
    org = activity.find("reporting-org")
    assert (org.get("ref"), org.get("type")) == ("NL-KVK-00000000", "21")
    assert "fictitious" in org.findtext("narrative")
    sector = activity.find("sector")
    assert (sector.get("vocabulary"), sector.get("code")) == ("1", "15180")
    assert [c.get("code") for c in activity.iter("recipient-country")] == ["RO"]


def test_each_pillar_is_a_result_with_its_indicators_titled_in_three_languages(demo: Programme) -> None:
    results = export(*ARGS).findall(".//result")
    assert [r.findtext("title/narrative") for r in results] == [
        "Recovery and access to aftercare",
        "Transforming the justice system",
        "Root causes, prevention and reducing vulnerability",
    ]
    first = results[0].find("indicator/title")
    assert {n.get(XML_LANG): n.text for n in first.findall("narrative")} == {
        None: "Survivors helped to return and with legal support",
        "nl": "Slachtoffers geholpen bij terugkeer en juridisch",
        "ro": "Supraviețuitori sprijiniți la întoarcere și juridic",
    }
    assert [len(r.findall("indicator")) for r in results] == [8, 3, 2]


def test_indicators_carry_baseline_target_and_actual_for_the_period(demo: Programme) -> None:
    found = indicators(export(*ARGS))
    survivors = found["survivors-return-legal"]
    assert survivors.find("baseline").get("value") == "0"
    assert survivors.find("baseline").get("year") == "2021"
    period = survivors.find("period")
    assert period.find("period-start").get("iso-date") == "2021-08-01"
    assert period.find("period-end").get("iso-date") == "2021-12-31"
    assert period.find("target").get("value") == "10"
    assert actual(survivors) == "13"
    assert actual(found["prevention-reach"]) == "633"
    assert found["prevention-reach"].find("period/target").get("value") == "500"
    expected = {
        "volunteers-signed-up": "29",
        "families-visited": "67",
        "family-members-supported": "108",
        "shelter-women-oradea": "5",
        "exited-prostitution": "1",
        "survivors-education": "2",
        "christmas-gifts": "160",
        "prevention-activities": "10",
    }
    assert {code: actual(found[code]) for code in expected} == expected
    assert found["christmas-gifts"].find("baseline") is None  # none was set


def test_distinct_counts_are_marked_as_not_aggregatable_across_periods(demo: Programme) -> None:
    found = indicators(export(*ARGS))
    assert found["families-visited"].get("aggregation-status") == "0"
    assert found["family-members-supported"].get("aggregation-status") == "0"
    assert found["survivors-return-legal"].get("aggregation-status") == "0"
    assert found["prevention-reach"].get("aggregation-status") == "1"
    assert found["volunteers-signed-up"].get("aggregation-status") == "1"


def test_disaggregations_are_dimensions_on_the_actual(demo: Programme) -> None:
    members = indicators(export(*ARGS))["family-members-supported"]
    assert actual(members, sex="female", age="adult") == "23"
    assert actual(members, sex="female", age="child") == "20"
    assert actual(members, sex="male", age="adult") == "50"
    assert actual(members, sex="male", age="child") == "15"
    assert actual(members, locality="Bucharest") == "108"
    shelter = indicators(export(*ARGS))["shelter-women-oradea"]
    assert actual(shelter, locality="Oradea") == "5"


def test_split_dimensions_makes_each_cell_an_indicator_of_its_own(demo: Programme) -> None:
    root = export(*ARGS, "--split-dimensions")
    assert list(root.iter("dimension")) == []
    found = indicators(root)
    assert actual(found["family-members-supported"]) == "108"
    cells = {
        "family-members-supported:sex_age:woman": "23",
        "family-members-supported:sex_age:girl": "20",
        "family-members-supported:sex_age:man": "50",
        "family-members-supported:sex_age:boy": "15",
        "family-members-supported:locality:Bucharest": "108",
        "shelter-women-oradea:locality:Oradea": "5",
    }
    assert {code: actual(found[code]) for code in cells} == cells
    girls = found["family-members-supported:sex_age:girl"]
    assert girls.findtext("title/narrative") == "Family members supported: girls"
    assert girls.get("aggregation-status") == "0"
    # Each cell indicator sits in its indicator's result, right after it.
    codes_in_first = [i.find("reference").get("code") for i in root.find(".//result").findall("indicator")]
    position = codes_in_first.index("family-members-supported")
    assert codes_in_first[position + 1] == "family-members-supported:sex_age:woman"


def test_targets_set_for_a_cell_appear_with_its_dimensions(demo: Programme) -> None:
    from nextsteps.indicators.models import Indicator, Target

    members = Indicator.objects.get(pillar__programme=demo, code="family-members-supported")
    Target.objects.create(
        indicator=members, start=dt.date(2021, 8, 1), end=dt.date(2021, 12, 31), cell="girl", target=18
    )
    period = indicators(export(*ARGS))["family-members-supported"].find("period")
    cell_targets = [t for t in period.findall("target") if t.find("dimension") is not None]
    assert [(t.get("value"), {d.get("name"): d.get("value") for d in t}) for t in cell_targets] == [
        ("18", {"sex": "female", "age": "child"})
    ]
    split = indicators(export(*ARGS, "--split-dimensions"))["family-members-supported:sex_age:girl"]
    assert split.find("period/target").get("value") == "18"


# Command line ------------------------------------------------------------------------------------------


def test_it_writes_the_file_given_with_o(demo: Programme, tmp_path: Path) -> None:
    target = tmp_path / "activity.xml"
    err = StringIO()
    call_command("export", "iati", *ARGS, "-o", str(target), stdout=StringIO(), stderr=err)
    content = target.read_bytes()
    assert content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    require_schema().assertValid(etree.fromstring(content))
    assert f"IATI file written to {target}." in err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["iati", "--programme", "nope", "--from", "2021-08-01", "--to", "2021-12-31"],
            "no programme “nope”",
        ),
        (
            ["iati", "--programme", "next-steps", "--from", "2021-13-01", "--to", "2021-12-31"],
            "--from must be",
        ),
        (["iati", "--programme", "next-steps", "--from", "2021-08-01", "--to", "31-12-2021"], "--to must be"),
        (
            ["iati", "--programme", "next-steps", "--from", "2021-12-31", "--to", "2021-08-01"],
            r"starts \(2021-12-31\) after it ends",
        ),
        (["iati", "--programme", "next-steps", "--from", "20210801", "--to", "2021-12-31"], "--from must be"),
        (["iati", "--programme", "next-steps", "--from", "2021-08-01", "--to", "2021W527"], "--to must be"),
        (
            ["iati", "--programme", "next-steps", "--from", "2021-08-01", "--to", "9999-12-31"],
            "--to must be a date from 1900-01-01 to 2999-12-31",
        ),
        (["iati", "--from", "2021-08-01", "--to", "2021-12-31"], "The option --programme is required."),
        (["csv", *ARGS], "Unknown export “csv”; choose one of iati."),
        (
            ["iati", *ARGS[:6], "--audience", "public"],
            "Unknown audience “public”; choose internal or external.",
        ),
    ],
)
def test_it_refuses_bad_input_with_a_one_line_message(demo: Programme, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as caught:
        call_command("export", *args, stdout=StringIO(), stderr=StringIO())
    assert "\n" not in str(caught.value)


def test_a_programme_without_iati_settings_is_told_which_are_missing(db: None) -> None:
    prog = f.programme(f.organisation(), slug="no-iati")
    with pytest.raises(CommandError) as caught:
        call_command(
            "export",
            "iati",
            "--programme",
            "no-iati",
            "--from",
            "2021-01-01",
            "--to",
            "2021-12-31",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    message = str(caught.value)
    assert message.startswith("The programme “no-iati” lacks IATI settings (IATI activity identifier,")
    assert "IATI sector code" in message and "\n" not in message
    prog.iati_identifier = "XM-DAC-1-X"
    prog.iati_reporting_org_ref, prog.iati_reporting_org_type = "XM-DAC-1", "21"
    prog.iati_reporting_org_name, prog.iati_sector_code = "Test", "15180"
    prog.save()
    out = StringIO()
    call_command(
        "export", "iati", "--programme", "no-iati", "--from", "2021-01-01", "--to", "2021-12-31", stdout=out
    )
    require_schema().assertValid(etree.fromstring(out.getvalue().encode()))


def test_the_identifier_must_start_with_the_reporting_organisations(demo: Programme) -> None:
    demo.iati_identifier = "NL-KVK-99999999-NS-RO"
    with pytest.raises(ValidationError, match="must start with the reporting organisation"):
        demo.full_clean()


def test_the_reporting_organisations_own_country_is_no_recipient(demo: Programme) -> None:
    assert recipient_countries(demo) == ["RO"]
    demo.iati_reporting_org_ref = "XM-DAC-47066"
    assert recipient_countries(demo) == ["RO", "NL"]


def test_a_missing_schema_fails_on_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tests.test_export_iati_command as module

    monkeypatch.setattr(module, "iati_folder_candidates", lambda: [tmp_path])
    schema.cache_clear()
    try:
        monkeypatch.setenv("CI", "true")
        with pytest.raises(pytest.fail.Exception, match="IATI schema not found"):
            require_schema()
        monkeypatch.delenv("CI")
        with pytest.raises(pytest.skip.Exception):
            require_schema()
    finally:
        schema.cache_clear()
