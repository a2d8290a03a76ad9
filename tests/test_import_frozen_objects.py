"""While an import runs, the objects the process held before it are left out of Python's garbage
collections (each full collection would scan them all again); they are put back when it ends, however it
ends, unless the process had frozen them itself (a web worker forked from a frozen app)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from nextsteps.imports.importer import ImportFailed, Progress
from tests import factories as f
from tests.importing import run, write_csv

pytestmark = pytest.mark.django_db


def visits(folder: Path, date: str = "2021-08-03") -> Path:
    return write_csv(
        folder / "outreach_visits.csv",
        ["external_id", "date", "locality", "site_type"],
        [[f"V-{i}", date, "Iași", "street"] for i in range(3)],
    )


def test_objects_are_frozen_while_an_import_runs_and_put_back_after_it(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    frozen: list[int] = []

    def progress(event: Progress) -> None:
        frozen.append(gc.get_freeze_count())

    assert gc.get_freeze_count() == 0
    run(prog, org, visits(tmp_path), progress=progress)
    assert frozen and min(frozen) > 0
    assert gc.get_freeze_count() == 0


def test_objects_are_put_back_when_an_import_fails(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    with pytest.raises(ImportFailed):
        run(prog, org, visits(tmp_path, date="2021-02-30"))
    assert gc.get_freeze_count() == 0


def test_a_process_that_froze_its_objects_itself_keeps_them_frozen(tmp_path: Path) -> None:
    org = f.organisation()
    prog = f.programme(org)
    gc.freeze()
    try:
        run(prog, org, visits(tmp_path))
        # Still frozen (fewer: frozen objects the import let go of were freed as usual).
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
