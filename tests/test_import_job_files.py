"""The files of an upload: their names, which may name a person, are kept only on the job and encrypted; on
disk they are numbered, readable by the server's user alone, and removed when the job ends, however it ends
(done, failed, or interrupted and never opened again)."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from nextsteps.imports import jobs
from nextsteps.imports.models import ImportJob
from nextsteps.privacy import crypto
from nextsteps.programmes.models import Organisation, Programme
from tests.test_encryption_at_rest import raw_value

pytestmark = pytest.mark.django_db

NAME = "ana_quillfeather_persons.csv"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def upload(client: Client, demo: Programme, *lines: str) -> ImportJob:
    client.post(
        reverse("imports:index"),
        {
            "organisation": Organisation.objects.get(slug="salvation-army-ro").pk,
            "programme": demo.pk,
            "uploads": [SimpleUploadedFile(NAME, ("\n".join(lines) + "\n").encode(), "text/csv")],
            "date_format": "",
        },
    )
    return ImportJob.objects.latest("pk")


def every_path(root: Path) -> list[Path]:
    return [root, *root.rglob("*")]


def test_a_waiting_jobs_files_are_numbered_private_and_their_names_encrypted(
    settings: Any, login: Callable[[str], Client], demo: Programme, tmp_path: Path
) -> None:
    # In the background, the job starts once the request's transaction commits, which a test never does:
    # it stays waiting, with its files on disk.
    settings.IMPORTS_IN_BACKGROUND = True
    job = upload(login("caseworker.sa"), demo, "external_id,sex", "FP-1,female")
    assert job.status == ImportJob.Status.WAITING
    assert job.files == [NAME]
    stored = raw_value(ImportJob, job.pk, "files")
    assert crypto.looks_encrypted(stored) and "quillfeather" not in stored
    folder = jobs.folder(job)
    assert sorted(p.name for p in folder.iterdir()) == ["1.csv"]
    assert not any("quillfeather" in str(p) for p in every_path(tmp_path))
    assert stat.S_IMODE((folder / "1.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(jobs.root().stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("lines", "status"),
    [(("external_id,sex", "FP-2,female"), "done"), (("external_id,sex", "FP-3,feminine"), "failed")],
)
def test_the_files_are_removed_when_the_job_ends(
    settings: Any, login: Callable[[str], Client], demo: Programme, lines: tuple[str, ...], status: str
) -> None:
    settings.IMPORTS_IN_BACKGROUND = False
    job = upload(login("caseworker.sa"), demo, *lines)
    assert job.status == status
    assert job.files == [NAME]
    assert not jobs.folder(job).exists()


def test_an_interrupted_jobs_files_are_removed_even_if_nobody_opens_it_again(
    settings: Any, login: Callable[[str], Client], demo: Programme
) -> None:
    settings.IMPORTS_IN_BACKGROUND = True
    job = upload(login("caseworker.sa"), demo, "external_id,sex", "FP-4,female")
    folder = jobs.folder(job)
    # A folder left by a job whose row never committed.
    orphan = jobs.root() / "999999"
    orphan.mkdir()
    (orphan / "1.csv").write_text("external_id,given_name\nFP-5,Ana\n")
    old = time.time() - jobs.STALE_AFTER - 1
    for path in [*every_path(folder), *every_path(orphan)]:
        os.utime(path, (old, old))
    # Anyone who opens the import page, in any organisation, sweeps: the server restarted under the job.
    login("caseworker.ijm").get(reverse("imports:index"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not folder.exists() and not orphan.exists()
