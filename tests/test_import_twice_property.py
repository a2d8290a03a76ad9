"""A property of every import template: a valid file, imported a second time unchanged, changes nothing,
reports 0 changed and writes no audit entry, whichever optional columns it has and whether they are filled
or left empty. The files are the templates' own example rows, which refer to each other (the persons of
the visits, the campaign of the distributions), so that every template is imported with its references."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nextsteps.audit.models import AuditEntry
from nextsteps.imports import columns as c
from nextsteps.imports.importer import ImportFailed
from nextsteps.programmes.models import Organisation, Pillar
from nextsteps.records import models as m
from tests import factories as f
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db

ABSENT, EMPTY, FILLED = "absent", "empty", "filled"
# Services and outcomes name their case or a person, never both: one of the two is filled.
ONE_OF = {"case", "person"}

# Examples of the columns whose template example is empty.
EXAMPLES = {"person": "P-0001"}
# Columns whose state the row's other columns decide: a sharing consent names the organisation; a case names
# its person (the referral column is for a receiving organisation's case, imported on another's referral); the
# example referral is completed, so it has every date of its steps.
FORCED: dict[str, dict[str, str]] = {
    "consents": {"shared_with": FILLED},
    "cases": {"person": FILLED, "referral": ABSENT, "consent_not_asked_reason": FILLED},
    "persons": {"survivor_status": FILLED},
    "referrals": {"state": FILLED, "answered_on": FILLED, "completed_on": FILLED},
}
# The person of the examples is the one the example identification is about: presumed, as it says.
VALUES = {("persons", "survivor_status"): "presumed"}
# The organisation the examples of consents and referrals name (the receiving one).
RECEIVER = "ijm-ro"

_folders = itertools.count()


def optional(rtype: c.RecordType) -> list[c.Column]:
    return [column for column in rtype.columns if not column.required]


@st.composite
def files(draw: st.DrawFn) -> dict[str, dict[str, str]]:
    """For each template, what each optional column is: absent, present and empty, or filled."""
    plan: dict[str, dict[str, str]] = {}
    for rtype in c.RECORD_TYPES:
        choices = {}
        for column in optional(rtype):
            choices[column.name] = draw(st.sampled_from([ABSENT, EMPTY, FILLED]))
        if set(choices) >= ONE_OF and rtype.key in ("services", "outcomes"):
            named = draw(st.sampled_from(sorted(ONE_OF)))
            choices.update({name: (FILLED if name == named else ABSENT) for name in ONE_OF})
        choices.update(FORCED.get(rtype.key, {}))
        if rtype.key == "volunteers" and choices.get("status") == FILLED:
            # The example volunteer is active, which needs the screening dates.
            choices.update({name: FILLED for name in m.Volunteer.ACTIVE_NEEDS})
        plan[rtype.key] = choices
    return plan


def write_files(folder: Path, plan: dict[str, dict[str, str]]) -> list[Path]:
    folder.mkdir()
    paths = []
    for rtype in c.RECORD_TYPES:
        header, row = [], []
        for column in rtype.columns:
            state = FILLED if column.required else plan[rtype.key][column.name]
            if state != ABSENT:
                header.append(column.name)
                example = (
                    VALUES.get((rtype.key, column.name)) or column.example or EXAMPLES.get(column.name, "")
                )
                row.append(example if state == FILLED else "")
        paths.append(write_csv(folder / f"{rtype.key}.csv", header, [row]))
    return paths


def counts(result: Any) -> dict[str, tuple[int, int]]:
    return {key: (done.created, done.changed) for key, done in result.counts.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=files())
def test_any_valid_file_imported_twice_changes_nothing_the_second_time(
    tmp_path: Path, plan: dict[str, dict[str, str]]
) -> None:
    # A new organisation and programme per example: the examples' external ids are the same every time.
    org = f.organisation()
    receiver = Organisation.objects.filter(slug=RECEIVER).first() or Organisation.objects.create(
        name="Receiver", slug=RECEIVER, country="RO", kind="partner"
    )
    prog = f.programme(org, receiver)
    # The pillar the activities' example names.
    Pillar.objects.create(programme=prog, number=3, title_en="Prevention")
    paths = write_files(tmp_path / f"files-{next(_folders)}", plan)
    try:
        run(prog, org, *paths)
    except ImportFailed as failed:
        pytest.fail(f"not a valid file: {[(e.file, e.column, e.message()) for e in failed.result.errors]}")
    entries = AuditEntry.objects.count()
    second = run(prog, org, *paths)
    assert all(changed == (0, 0) for changed in counts(second).values()), counts(second)
    assert AuditEntry.objects.count() == entries


def test_a_birth_date_with_an_empty_year_of_birth_is_unchanged_the_second_time(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    path = write_csv(
        tmp_path / "persons.csv", ["external_id", "birth_date", "birth_year"], [["P-1", "1990-03-15", ""]]
    )
    run(prog, org, path)
    entries = AuditEntry.objects.count()
    second = run(prog, org, path)
    assert counts(second) == {"persons": (0, 0)}
    assert AuditEntry.objects.count() == entries
    person = m.Person.objects.get(organisation=org, external_id="P-1")
    assert (person.birth_year, person.adult_on) == (1990, dt.date(2008, 3, 15))
