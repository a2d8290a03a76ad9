"""The import page: templates to download, several files uploaded at once, the full error list in the
user's language with nothing written, and progress polled with htmx while an import runs.

Jobs run synchronously here (IMPORTS_IN_BACKGROUND = False): the test's transaction is invisible to a
thread's own database connection."""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User
from nextsteps.audit.models import AuditEntry
from nextsteps.imports import jobs
from nextsteps.imports.importer import Progress
from nextsteps.imports.models import ImportJob
from nextsteps.privacy import crypto
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records.models import Case, Person
from tests.importing import translated
from tests.test_encryption_at_rest import raw_value

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _synchronous_jobs(settings: Any, tmp_path: Path) -> None:
    settings.IMPORTS_IN_BACKGROUND = False
    settings.DATA_DIR = tmp_path


def csv_upload(name: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8"), content_type="text/csv")


def upload(
    client: Client, demo: Programme, *files: SimpleUploadedFile, organisation: str = "salvation-army-ro"
) -> Any:
    org = Organisation.objects.get(slug=organisation)
    return client.post(
        reverse("imports:index"),
        {"organisation": org.pk, "programme": demo.pk, "uploads": list(files), "date_format": ""},
        follow=True,
    )


def test_the_page_offers_the_templates_of_the_record_types_the_user_may_write(
    login: Callable[[str], Client],
) -> None:
    page = login("caseworker.sa").get(reverse("imports:index")).content.decode()
    for key in ("persons", "cases", "services", "outcomes"):
        assert reverse("imports:template", args=[key, "csv"]) in page
    assert reverse("imports:template", args=["outreach_visits", "csv"]) not in page
    assert 'enctype="multipart/form-data"' in page and "multiple" in page


def test_templates_download_as_csv_and_as_a_workbook(login: Callable[[str], Client]) -> None:
    client = login("caseworker.sa")
    response = client.get(reverse("imports:template", args=["persons", "csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="persons.csv"'
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("external_id,")
    response = client.get(reverse("imports:template", args=["persons", "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0]["A1"].value == "external_id"
    # A type the caseworker may not write, or no type at all, does not exist for them.
    assert client.get(reverse("imports:template", args=["outreach_visits", "csv"])).status_code == 404
    assert client.get(reverse("imports:template", args=["nothing", "csv"])).status_code == 404


def test_several_files_import_together_as_the_user_and_the_uploads_are_removed(
    login: Callable[[str], Client], demo: Programme, tmp_path: Path
) -> None:
    response = upload(
        login("caseworker.sa"),
        demo,
        csv_upload("persons.csv", ["external_id,sex,birth_year,given_name", "UP-1,female,1991,Ximena"]),
        csv_upload(
            "cases.csv",
            ["external_id,person,opened,consent_not_asked_reason", "UC-1,UP-1,2021-09-01,Asked later."],
        ),
    )
    job = ImportJob.objects.get()
    assert response.redirect_chain == [(reverse("imports:job", args=[job.pk]), 302)]
    assert (job.status, job.rows, job.files) == ("done", 2, ["persons.csv", "cases.csv"])
    person = Person.objects.get(external_id="UP-1", organisation__slug="salvation-army-ro")
    assert Case.objects.filter(person=person, external_id="UC-1").exists()
    assert crypto.looks_encrypted(raw_value(Person, person.pk, "given_name"))
    entry = AuditEntry.objects.get(model="records.Person", object_pk=str(person.pk))
    assert entry.user == User.objects.get(username="caseworker.sa")
    page = response.content.decode()
    assert 'hx-trigger="every 1s"' not in page
    assert str(job.rows) in page
    assert not (tmp_path / "imports" / str(job.pk)).exists()


def test_a_file_with_errors_writes_nothing_and_lists_every_error_in_the_users_language(
    login: Callable[[str], Client], demo: Programme
) -> None:
    # caseworker.sa works in Romanian.
    empty = translated("ro", "required, but empty")
    response = upload(
        login("caseworker.sa"),
        demo,
        csv_upload("persons.csv", ["external_id,sex,birth_year", "UP-2,female,1991", "UP-3,sometimes,1992"]),
        csv_upload("cases.csv", ["external_id,person,opened", "UC-2,UP-2,", "UC-3,UP-3,"]),
    )
    job = ImportJob.objects.get()
    assert (job.status, job.error_count) == ("failed", 3)
    errors = json.loads(job.errors)
    assert [(e[0], e[1], e[2], e[3]) for e in errors] == [
        ("persons.csv", 3, "sex", "sometimes"),
        ("cases.csv", 2, "opened", ""),
        ("cases.csv", 3, "opened", ""),
    ]
    assert errors[1][4] == empty
    page = response.content.decode()
    assert empty in page and "sometimes" in page
    assert not Person.objects.filter(external_id__in=["UP-2", "UP-3"]).exists()
    # The error list can quote identifying values: it is stored encrypted.
    assert "sometimes" not in raw_value(ImportJob, job.pk, "errors")


def test_rows_the_user_may_not_write_are_refused_row_by_row(
    login: Callable[[str], Client], demo: Programme
) -> None:
    upload(
        login("outreach.sa"),
        demo,
        csv_upload("cases.csv", ["external_id,person,opened", "UC-4,UP-9,2021-09-01"]),
    )
    job = ImportJob.objects.get()
    assert job.status == "failed"
    errors = json.loads(job.errors)
    assert {(e[0], e[1]) for e in errors} == {("cases.csv", 2)}
    # outreach.sa works in Romanian.
    refusal = translated(
        "ro",
        "you may not add or change %(records)s of %(organisation)s",
        records="%(records)s",
        organisation="%(organisation)s",
    ).split("%(")[0]
    assert refusal and any(e[4].startswith(refusal) for e in errors)
    assert not Case.objects.filter(external_id="UC-4").exists()


def test_an_organisation_where_the_user_may_not_import_is_never_used(
    login: Callable[[str], Client], demo: Programme
) -> None:
    response = upload(
        login("caseworker.sa"),
        demo,
        csv_upload("persons.csv", ["external_id,sex", "UP-5,female"]),
        organisation="ijm-ro",
    )
    # caseworker.sa imports into one organisation only: the page shows it fixed, and a posted other one is
    # ignored, as on every form of a user of one organisation.
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert job.organisation.slug == "salvation-army-ro"
    assert not Person.objects.filter(external_id="UP-5", organisation__slug="ijm-ro").exists()


def test_a_running_job_is_polled_every_second_and_shows_rows_checked_and_written(
    login: Callable[[str], Client], demo: Programme
) -> None:
    org = Organisation.objects.get(slug="salvation-army-ro")
    job = ImportJob.objects.create(
        user=User.objects.get(username="caseworker.sa"),
        programme=demo,
        organisation=org,
        language="en",
        files=["persons.csv"],
        status=ImportJob.Status.RUNNING,
        rows=120,
    )
    jobs.folder(job).mkdir(parents=True)
    progress = jobs.ProgressFile(job)
    progress(Progress("validate", "persons.csv", 120, 0.5))
    progress(Progress("write", "persons.csv", 40, 1.0))
    client = login("caseworker.sa")
    fragment = client.get(reverse("imports:job-progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in text
    # The page speaks its reader's language (caseworker.sa: Romanian), whatever the job's.
    assert (
        translated(
            "ro",
            "All %(validated)s rows are valid; %(written)s rows written so far.",
            validated=120,
            written=40,
        )
        in text
    )
    # Another organisation's users do not see the job at all.
    assert login("caseworker.ijm").get(reverse("imports:job-progress", args=[job.pk])).status_code == 404


def test_a_job_whose_thread_is_gone_says_it_was_interrupted_and_that_nothing_was_written(
    login: Callable[[str], Client], demo: Programme
) -> None:
    job = ImportJob.objects.create(
        user=User.objects.get(username="caseworker.sa"),
        programme=demo,
        organisation=Organisation.objects.get(slug="salvation-army-ro"),
        language="ro",
        files=["persons.csv"],
        status=ImportJob.Status.RUNNING,
    )
    jobs.folder(job).mkdir(parents=True)
    jobs.ProgressFile(job)(Progress("validate", "persons.csv", 10, 0.1))
    client = login("caseworker.sa")
    # Progress a moment ago: still running.
    assert 'hx-trigger="every 1s"' in client.get(reverse("imports:job", args=[job.pk])).content.decode()
    # No sign of life for longer than a job can be silent: the server stopped under it.
    old = time.time() - jobs.STALE_AFTER - 1
    for path in [jobs.folder(job), *jobs.folder(job).iterdir()]:
        os.utime(path, (old, old))
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert 'hx-trigger="every 1s"' not in page
    assert (
        translated(
            "ro", "The import was interrupted before it ended (the server stopped); nothing was written."
        )
        in page
    )
    assert not jobs.folder(job).exists()
