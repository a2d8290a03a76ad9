"""Imports started from the upload page: the files are kept in the data folder, the import runs in a
background thread (checking every row, then writing in batches of one transaction each), and its progress
is kept in a small file that the page polls.

Progress goes to a file rather than the database because writing it would compete for SQLite's one write
lock with the import's own batches and everyone else's saves; a file is read by whichever server process
answers the poll. It also tells, after a server stopped under a job, how many rows had been written. The
uploaded files are removed when the import ends: they hold the same personal data as the records, in clear
text. Until then they are readable by the server's user alone and numbered (`1.csv`, `2.xlsx`): the
user's own file names, which may name a person, are kept only on the job, encrypted.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nextsteps.imports import cli, rights
from nextsteps.imports.importer import Importer, ImportFailed, ImportResult, Progress, Source
from nextsteps.imports.models import ImportJob
from nextsteps.imports.values import DateFormat

logger = logging.getLogger(__name__)
PROGRESS_FILE = "progress.json"
# Progress is written at most this often (seconds): often enough for a page polled every second.
PROGRESS_INTERVAL = 0.5
# A job whose files and progress have not moved for this long has lost its thread (the server stopped or
# restarted). The batch it was writing was rolled back; the batches before it are written.
STALE_AFTER = 15 * 60


def root() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def folder(job: ImportJob) -> Path:
    return root() / str(job.pk)


def stored_names(job: ImportJob) -> list[str]:
    """The names of the job's files on disk: numbered, with the suffix that tells how to read them."""
    return [f"{n}{Path(name).suffix.lower()}" for n, name in enumerate(job.files, start=1)]


def safe_name(name: str) -> str:
    """The upload's own file name (it may tell the record type), without any path or odd characters."""
    base = re.sub(r"[^\w.\-]+", "_", Path(name).name).strip("._") or "upload"
    return base[:100]


def create_job(
    *,
    user: Any,
    programme: Any,
    organisation: Any,
    uploads: list[UploadedFile],
    language: str,
    date_format: str = "",
) -> ImportJob:
    """Store the uploaded files and the job, and start it once the job is committed."""
    names: list[str] = []
    for upload in uploads:
        name = safe_name(upload.name or "")
        stem, suffix = os.path.splitext(name)
        n = 1
        while name in names:
            n += 1
            name = f"{stem}-{n}{suffix}"
        names.append(name)
    job = ImportJob.objects.create(
        user=user,
        programme=programme,
        organisation=organisation,
        language=language,
        date_format=date_format,
        files=names,
    )
    target = folder(job)
    for directory in (root(), target):
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.chmod(0o700)
    for name, upload in zip(stored_names(job), uploads, strict=True):
        # Created for the server's user alone, whatever its umask.
        descriptor = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            for chunk in upload.chunks():
                stream.write(chunk)
    if getattr(settings, "IMPORTS_IN_BACKGROUND", True):
        # The thread has its own connection: it must find the job committed.
        transaction.on_commit(lambda: start(job.pk))
    else:
        run_job(job.pk)
    return job


def start(pk: int) -> None:
    threading.Thread(target=_in_thread, args=(pk,), name=f"import-{pk}", daemon=True).start()


def _in_thread(pk: int) -> None:
    try:
        run_job(pk)
    finally:
        # The thread's own connection: nothing else will close it.
        connection.close()


class ProgressFile:
    """The importer's progress callback: rows checked and written so far, written atomically to a file."""

    def __init__(self, job: ImportJob) -> None:
        self.path = folder(job) / PROGRESS_FILE
        self.done: dict[tuple[str, str], int] = {}
        self.last = 0.0

    def __call__(self, progress: Progress) -> None:
        self.done[(progress.phase, progress.file)] = progress.rows
        now = time.monotonic()
        # Every written batch is recorded (it is committed): an interrupted job says how much it wrote.
        if now - self.last < PROGRESS_INTERVAL and progress.fraction < 1 and progress.phase != "write":
            return
        self.last = now
        state = {
            "validated": sum(n for (phase, _f), n in self.done.items() if phase == "validate"),
            "written": sum(n for (phase, _f), n in self.done.items() if phase == "write"),
            "fraction": progress.fraction,
            "phase": progress.phase,
        }
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(state), encoding="utf-8")
        partial.replace(self.path)


def progress_of(job: ImportJob) -> dict[str, Any]:
    try:
        return dict(json.loads((folder(job) / PROGRESS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {"validated": 0, "written": 0, "fraction": 0.0, "phase": "validate"}


def last_sign_of_life(job: ImportJob) -> float | None:
    """When the job's thread last wrote progress (or the files were stored); None when its folder is gone."""
    target = folder(job)
    try:
        return max([target.stat().st_mtime, *(f.stat().st_mtime for f in target.iterdir())])
    except OSError:
        return None


def end_if_interrupted(job: ImportJob) -> ImportJob:
    """Say so when an unfinished job's thread is gone, instead of showing it as running for ever."""
    if job.finished:
        return job
    seen = last_sign_of_life(job)
    if seen is not None and time.time() - seen < STALE_AFTER:
        return job
    written = progress_of(job).get("written", 0)
    with translation.override(job.language):
        if written:
            message = _(
                "The import was interrupted before it ended (the server stopped) after writing %(written)s "
                "rows. Import the same files again to complete it; the rows already written are not added "
                "twice."
            ) % {"written": f"{written:,}"}
        else:
            message = _(
                "The import was interrupted before it ended (the server stopped); nothing was written."
            )
    # Only while still unfinished: the thread may have ended the job (and removed its folder) just now.
    ended = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.WAITING, ImportJob.Status.RUNNING]
    ).update(
        status=ImportJob.Status.FAILED,
        finished_at=timezone.now(),
        error_count=1,
        errors=json.dumps([["", "", "", "", message]]),
        summary=json.dumps([message] if written else []),
    )
    if ended:
        shutil.rmtree(folder(job), ignore_errors=True)
    job.refresh_from_db()
    return job


def sweep() -> None:
    """End the jobs whose thread is gone and remove files that no running job owns, so that no uploaded
    spreadsheet stays on disk after a restart, even when nobody opens the job again."""
    unfinished = ImportJob.objects.filter(status__in=[ImportJob.Status.WAITING, ImportJob.Status.RUNNING])
    for job in unfinished:
        end_if_interrupted(job)
    try:
        leftovers = list(root().iterdir())
    except OSError:
        return
    running = {str(pk) for pk in unfinished.values_list("pk", flat=True)}
    for path in leftovers:
        try:
            # A folder is written before its job is committed: only an old one is surely left over.
            stale = time.time() - path.stat().st_mtime > STALE_AFTER
        except OSError:
            continue
        if path.name not in running and stale:
            shutil.rmtree(path, ignore_errors=True)


def run_job(pk: int) -> None:
    """Run one job to its end; whatever happens, the job says how it ended and the files are removed."""
    job = ImportJob.objects.select_related("user", "programme", "organisation").get(pk=pk)
    with translation.override(job.language):
        ImportJob.objects.filter(pk=pk).update(status=ImportJob.Status.RUNNING)
        importer: Importer | None = None
        try:
            importer = _importer(job)
            result = importer.run(_sources(job))
        except ImportFailed as failed:
            # A write pass that stopped part-way: the summary says what its committed batches wrote.
            lines = cli.summary(failed.result) if failed.result.written_rows else None
            _finish(
                job, ImportJob.Status.FAILED, failed.result, errors=_error_rows(failed.result), summary=lines
            )
        except CommandError as error:
            _finish(job, ImportJob.Status.FAILED, None, errors=[["", "", "", "", str(error)]])
        except Exception:
            logger.exception("import %s failed", pk)
            written = importer.result.written_rows if importer else 0
            if written:
                message = _(
                    "The import stopped on an unexpected problem after writing %(written)s rows. Import the "
                    "same files again to complete it; the rows already written are not added twice."
                ) % {"written": f"{written:,}"}
            else:
                message = _("The import stopped on an unexpected problem; nothing was written.")
            summary = cli.summary(importer.result) if written and importer else None
            _finish(job, ImportJob.Status.FAILED, None, errors=[["", "", "", "", message]], summary=summary)
        else:
            _finish(job, ImportJob.Status.DONE, result, summary=cli.summary(result))
        finally:
            shutil.rmtree(folder(job), ignore_errors=True)


def _importer(job: ImportJob) -> Importer:
    return Importer(
        programme=job.programme,
        organisation=job.organisation,
        acting_user=job.user,
        date_format=DateFormat.parse(job.date_format) if job.date_format else None,
        progress=ProgressFile(job),
    )


def _sources(job: ImportJob) -> list[Source]:
    target = folder(job)
    sources = [
        cli.file_source(target / stored, None, name=name)
        for stored, name in zip(stored_names(job), job.files, strict=True)
    ]
    # Every file's template is known now: the job becomes visible to those who may read all it holds.
    job.kinds = {kind for source in sources for kind in rights.kinds_held(source.record_type.key)}
    job.save(update_fields=["record_kinds"])
    return sources


def _error_rows(result: ImportResult) -> list[list[Any]]:
    return [[e.file, e.row or "", e.column or "", e.value, e.message()] for e in result.errors]


def _finish(
    job: ImportJob,
    status: str,
    result: ImportResult | None,
    *,
    errors: list[list[Any]] | None = None,
    summary: list[str] | None = None,
) -> None:
    job.status = status
    job.finished_at = timezone.now()
    job.rows = result.rows if result else 0
    job.error_count = result.error_count if result else len(errors or ())
    job.errors = json.dumps(errors or [])
    job.summary = json.dumps(summary or [])
    job.save(update_fields=["status", "finished_at", "rows", "error_count", "errors", "summary"])
