"""`nextsteps report`: formats, files, and a clear one-line error for every kind of bad input."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import build_report, period_label
from tests import keys

ARGS = ["--programme", "next-steps", "--from", "2021-08-01", "--to", "2021-12-31"]


def run(*args: str) -> str:
    out = StringIO()
    call_command("report", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_prints_markdown_in_the_chosen_language(demo: Programme) -> None:
    text = run(*ARGS, "--lang", "ro")
    assert text.startswith("# Next Steps Romania")
    assert "august 2021 – decembrie 2021" in text
    assert "Au avut loc 10 activități de prevenire și conștientizare." in text


def test_it_gives_machines_every_indicator_in_json(demo: Programme) -> None:
    data = json.loads(run(*ARGS, "--format", "json"))
    assert data["programme"] == {"slug": "next-steps", "name": "Next Steps Romania"}
    assert data["period"]["from"] == "2021-08-01" and data["period"]["to"] == "2021-12-31"
    by_code = {item["code"]: item for item in data["indicators"]}
    members = by_code["family-members-supported"]
    assert members["pillar"] == 1
    assert members["value"] == 108
    assert members["cells"]["sex_age"] == {"woman": 23, "girl": 20, "man": 50, "boy": 15}
    assert members["aggregatable_across_periods"] is False
    survivors = by_code["survivors-return-legal"]
    assert (survivors["baseline"], survivors["target"], survivors["value"]) == (0, 10, 13)
    assert (survivors["percent_of_target"], survivors["status"]) == (130, "exceeded")
    assert sorted(data["exceeded"]) == ["prevention-reach", "survivors-return-legal", "volunteers-signed-up"]


def test_the_json_report_has_every_section_of_the_text_report(demo: Programme) -> None:
    data = json.loads(run(*ARGS, "--format", "json"))
    assert data["pillars"] == [
        {"number": 1, "title": "Recovery and access to aftercare"},
        {"number": 2, "title": "Transforming the justice system"},
        {"number": 3, "title": "Root causes, prevention and reducing vulnerability"},
    ]
    by_code = {item["code"]: item for item in data["indicators"]}
    # Who recorded what, by organisation slug; it adds up to the total.
    survivors = by_code["survivors-return-legal"]
    assert set(survivors["cells"]) == {"sex_age", "locality", "organisation"}
    assert survivors["cells"]["organisation"] == {"ijm-ro": 9, "next-steps-nl": 4}
    assert by_code["family-members-supported"]["cells"]["organisation"] == {"salvation-army-ro": 108}
    # Events and milestones say which section they are in: a pillar's number, an office, or neither.
    conference = next(e for e in data["events"] if e["date"] == "2021-10-18")
    assert set(conference) == {
        "pillar",
        "sentence",
        "date",
        "type",
        "locality",
        "attendance",
        "participant_groups",
    }
    assert (conference["pillar"], conference["locality"], conference["type"]) == (2, "Oradea", "Conference")
    assert "Police" in conference["participant_groups"]
    assert conference["sentence"].startswith("18 October 2021, Oradea:")
    assert all(set(m) == {"pillar", "office", "date", "text"} for m in data["milestones"])
    assert [m["office"] for m in data["milestones"] if m["office"]] == ["next-steps-nl"]
    assert {m["pillar"] for m in data["milestones"]} == {3, None}
    assert [set(s) for s in data["stories"]] == [{"date", "text"}]
    assert [(o["name"], o["organisation"], o["country"]) for o in data["offices"]] == [
        ("Next Steps RO", "next-steps-ro", "Romania"),
        ("Next Steps NL", "next-steps-nl", "the Netherlands"),
    ]
    nl_office = {line["code"]: line["value"] for line in data["offices"][1]["indicators"]}
    assert nl_office["survivors-return-legal"] == 4
    assert data["conclusion"] == {
        "text": "In this period the programme exceeded its targets for 3 indicators:",
        "exceeded": ["survivors-return-legal", "volunteers-signed-up", "prevention-reach"],
    }


def test_it_writes_html_to_a_file(demo: Programme, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    run(*ARGS, "--format", "html", "--lang", "nl", "-o", str(target))
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert '<html lang="nl">' in html
    assert "633" in html
    assert "http" not in html  # a report page makes no outside requests


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--programme", "nope", "--from", "2021-08-01", "--to", "2021-12-31"],
            "There is no programme “nope”.",
        ),
        (
            ["--programme", "next-steps", "--from", "2021-02-30", "--to", "2021-12-31"],
            "--from must be a date",
        ),
        (
            ["--programme", "next-steps", "--from", "2021-12-31", "--to", "2021-08-01"],
            "starts (2021-12-31) after",
        ),
        ([*ARGS, "--lang", "de"], "Unknown language “de”"),
        ([*ARGS, "--format", "pptx"], "Unknown format “pptx”"),
        ([*ARGS, "--audience", "donors"], "Unknown audience “donors”; choose internal or external."),
        ([*ARGS, "--format", "docx"], "A docx report is a file: name it with -o FILE"),
        ([*ARGS, "--format", "pdf", "-o", "/nonexistent-folder/report.pdf"], "Could not write"),
        # Only YYYY-MM-DD, although Python reads these two as 1 August 2021 too.
        (
            ["--programme", "next-steps", "--from", "20210801", "--to", "2021-12-31"],
            "--from must be a date written as YYYY-MM-DD, not “20210801”.",
        ),
        (
            ["--programme", "next-steps", "--from", "2021W311", "--to", "2021-12-31"],
            "--from must be a date written as YYYY-MM-DD, not “2021W311”.",
        ),
        (
            ["--programme", "next-steps", "--from", "2021-08-01", "--to", "9999-12-31"],
            "--to must be a date from 1900-01-01 to 2999-12-31, not 9999-12-31.",
        ),
        (
            ["--programme", "next-steps", "--from", "0001-01-01", "--to", "2021-12-31"],
            "--from must be a date from 1900-01-01 to 2999-12-31",
        ),
        (["--from", "2021-08-01", "--to", "2021-12-31"], "The option --programme is required."),
        (["--programme", "next-steps"], "The options --from, --to are required."),
        (["--programme", "next-steps", "--from", "--to", "2021-12-31"], "--from needs a value."),
        ([*ARGS, "--colour", "red"], "Unknown option or argument: --colour red."),
        # Errors follow --lang (these sentences are translated already).
        ([*ARGS, "--lang", "nl", "--format", "pptx"], "Onbekend formaat ‘pptx’"),
        (
            ["--lang", "nl", "--programme", "next-steps", "--from", "20210801", "--to", "2021-12-31"],
            "--from moet een datum zijn in de vorm JJJJ-MM-DD, niet ‘20210801’.",
        ),
        (["--lang", "nl", *ARGS[:2], "--from", "2021-08-01", "--to", "2021-12-31", "--x"], "--x"),
    ],
)
def test_it_refuses_bad_input_with_a_message(demo: Programme, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)) as caught:
        run(*args)
    assert "\n" not in str(caught.value)


def test_a_period_up_to_the_last_day_python_knows_is_reported_in_whole_months(demo: Programme) -> None:
    # The command refuses such dates; the report itself (also built for web pages) must not fail on them.
    report = build_report(demo, dt.date(2021, 8, 1), dt.date(9999, 12, 31), "en")
    assert report.period_label == "August 2021 – December 9999"
    assert period_label(dt.date(2021, 8, 1), dt.date(2021, 12, 30)) == "1 August 2021 – 30 December 2021"
    assert period_label(dt.date(2024, 2, 1), dt.date(2024, 2, 29)) == "February 2024"


def test_a_binary_format_goes_to_standard_output_when_asked_with_a_dash(demo: Programme) -> None:
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8")
    call_command("report", *ARGS, "--format", "xlsx", "-o", "-", stdout=stdout, stderr=StringIO())
    stdout.flush()
    assert raw.getvalue().startswith(b"PK")  # a zip: the workbook


def test_a_failed_write_keeps_the_previous_file_whole(
    demo: Programme, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    target = tmp_path / "report.md"
    target.write_text("previous report")

    def disk_full(src: str, dst: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("nextsteps.reports.cli.os.replace", disk_full)
    with pytest.raises(CommandError, match=r"Could not write .*report\.md: No space left on device"):
        run(*ARGS, "-o", str(target))
    assert target.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--programme", "x", "--from", "nope", "--to", "2021-01-01"],
            "CommandError: --from must be a date written as YYYY-MM-DD, not “nope”.",
        ),
        # argparse would print its usage block here.
        (["--from", "2021-01-01", "--to", "2021-01-31"], "CommandError: The option --programme is required."),
    ],
)
def test_bad_input_on_the_command_line_is_one_line_and_no_traceback(
    tmp_path: Path, args: list[str], line: str
) -> None:
    env = {
        "NEXTSTEPS_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "NEXTSTEPS_KEYS": keys.CURRENT,
        "NEXTSTEPS_SEARCH_KEY": keys.SEARCH,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nextsteps.manage",
            "report",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [line]
