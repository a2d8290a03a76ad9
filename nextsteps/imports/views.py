"""The import page: templates to download, files to upload, and the progress and outcome of each import.

Only roles that may write records reach it (404 for the others, as everywhere). A job is visible to its
author and to those who may read every kind of record its files hold (accounts/access.py decides).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from nextsteps.accounts import access
from nextsteps.imports import columns as c
from nextsteps.imports import jobs, rights, templates, uploads, vocabularies
from nextsteps.imports.forms import UploadForm
from nextsteps.imports.models import ImportJob

RECENT_JOBS = 20
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _organisations(request: HttpRequest) -> list[int]:
    organisations = rights.import_organisations(request.user)
    access.require(bool(organisations))
    return organisations


@login_required
def index(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(request)
    files = request.FILES or None
    form = UploadForm(request.POST or None, files, user=request.user, refused=uploads.refused(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = jobs.create_job(
            user=request.user,
            programme=data["programme"],
            organisation=data["organisation"],
            uploads=data["uploads"],
            language=get_language() or "en",
            date_format=data["date_format"],
        )
        return redirect("imports:job", pk=job.pk)
    types = {t.key for org in organisations for t in rights.importable_types(request.user, org)}
    jobs.sweep()
    recent = (
        access.import_jobs(request.user)
        .select_related("organisation", "user")
        .order_by("-created_at", "-pk")[:RECENT_JOBS]
    )
    return render(
        request,
        "imports/index.html",
        {
            "form": form,
            "types": [t for t in c.RECORD_TYPES if t.key in types],
            "formats": templates.FORMATS,
            "jobs": recent,
        },
    )


@login_required
def template(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """A template with its example row (skipped when imported); the XLSX one marks the required columns and
    has a sheet of column help and lists of allowed values."""
    organisations = _organisations(request)
    rtype = c.TYPES.get(key)
    access.require(
        rtype is not None
        and fmt in templates.FORMATS
        and any(rights.may_import(request.user, org, key) for org in organisations)
    )
    assert rtype is not None
    if fmt == "csv":
        content = templates.csv_text(rtype, example=True).encode("utf-8-sig")
    else:
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / f"{key}.{fmt}"
            templates.write_file(
                path,
                rtype,
                fmt=fmt,
                vocabularies=vocabularies.load(None),
                lang=get_language() or "en",
                example=True,
            )
            content = path.read_bytes()
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{key}.{fmt}"'
    return response


def _job_or_404(request: HttpRequest, pk: int) -> ImportJob:
    _organisations(request)
    job: ImportJob = access.import_job_or_404(request.user, pk)
    return job


def _job_context(job: ImportJob) -> dict[str, object]:
    job = jobs.end_if_interrupted(job)
    return {
        "job": job,
        "progress": None if job.finished else jobs.progress_of(job),
        "errors": json.loads(job.errors) if job.errors else [],
        "summary": json.loads(job.summary) if job.summary else [],
    }


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "imports/job.html", _job_context(_job_or_404(request, pk)))


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the job page that htmx polls every second until the import has ended."""
    return render(request, "imports/_progress.html", _job_context(_job_or_404(request, pk)))
