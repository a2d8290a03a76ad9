"""Who sees an import job (the list, its page, its progress): its author, and in its organisation those who
may read every kind of record its files hold. Anyone else gets 404, as for any record they may not read:
a job's file names and error list tell what its files held."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import Role, User
from nextsteps.imports.models import ImportJob
from nextsteps.programmes.models import Organisation, Programme
from tests.importing import importer_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _synchronous_jobs(settings: Any, tmp_path: Path) -> None:
    settings.IMPORTS_IN_BACKGROUND = False
    settings.DATA_DIR = tmp_path


FILES = {
    "volunteers": ["external_id,signed_up,name,phone", "VV-1,2021-08-02,Elena Vizibil,+40 700 000 009"],
    "persons": ["external_id,sex,given_name,phone", "VP-1,female,Ana Vizibil,+40 700 000 008"],
    "partner_contacts": [
        "external_id,external_organisation,kind,established",
        "VC-1,Bihor County Police,law_enforcement,2021-08-10",
    ],
    "cases": ["external_id,person,opened", "VK-1,VP-404,2021-08-10"],
}


def started(
    login: Callable[[str], Client], demo: Programme, username: str, organisation: str, template: str
) -> ImportJob:
    """A job of one file of the template, uploaded through the page by the persona."""
    content = ("\n".join(FILES[template]) + "\n").encode()
    login(username).post(
        reverse("imports:index"),
        {
            "organisation": Organisation.objects.get(slug=organisation).pk,
            "programme": demo.pk,
            "uploads": [SimpleUploadedFile(f"{template}.csv", content, content_type="text/csv")],
            "date_format": "",
        },
    )
    job = ImportJob.objects.latest("pk")
    assert job.user.username == username and job.finished
    return job


def sees(client: Client, job: ImportJob) -> bool:
    page = client.get(reverse("imports:job", args=[job.pk])).status_code
    progress = client.get(reverse("imports:job-progress", args=[job.pk])).status_code
    listed = reverse("imports:job", args=[job.pk]) in client.get(reverse("imports:index")).content.decode()
    assert (page, progress) in {(200, 200), (404, 404)}
    assert listed == (page == 200)
    return page == 200


def test_a_volunteer_import_is_hidden_from_the_prevention_officer_of_the_same_organisation(
    login: Callable[[str], Client], demo: Programme
) -> None:
    job = started(login, demo, "volunteers.dorcas", "dorcas-ro", "volunteers")
    assert job.kinds == ["campaign", "volunteer"]
    assert sees(login("volunteers.dorcas"), job)
    assert not sees(login("prevention.dorcas"), job)
    assert not sees(login("caseworker.ijm"), job)


def test_a_persons_import_is_hidden_from_the_administrator_and_shown_to_another_coordinator(
    login: Callable[[str], Client], demo: Programme
) -> None:
    job = started(login, demo, "coordinator", "next-steps-nl", "persons")
    assert job.kinds == ["person"]
    assert sees(login("coordinator"), job)
    assert not sees(login("admin"), job)
    colleague = login(importer_of(Organisation.objects.get(slug="next-steps-nl"), Role.COORDINATOR).username)
    assert sees(colleague, job)
    # A coordinator of another organisation reads persons too, but not this organisation's.
    assert not sees(login("caseworker.sa"), job)


def test_the_administrators_partner_contacts_import_is_shown_to_the_coordinator(
    login: Callable[[str], Client], demo: Programme
) -> None:
    job = started(login, demo, "admin", "next-steps-nl", "partner_contacts")
    assert sees(login("admin"), job)
    assert sees(login("coordinator"), job)


def test_a_cases_import_needs_the_right_to_read_cases_and_the_persons_they_name(
    login: Callable[[str], Client], demo: Programme
) -> None:
    cases = started(login, demo, "caseworker.sa", "salvation-army-ro", "cases")
    assert cases.kinds == ["case", "person"]
    assert not sees(login("outreach.sa"), cases)
    persons = started(login, demo, "outreach.sa", "salvation-army-ro", "persons")
    assert sees(login("caseworker.sa"), persons)


def test_a_job_whose_files_were_not_read_yet_is_its_authors_alone(
    login: Callable[[str], Client], demo: Programme
) -> None:
    organisation = Organisation.objects.get(slug="next-steps-nl")
    job = ImportJob.objects.create(
        user=User.objects.get(username="coordinator"),
        programme=demo,
        organisation=organisation,
        language="en",
        files=["persons.csv"],
    )
    assert job.kinds == []
    assert sees(login("coordinator"), job)
    colleague = login(importer_of(organisation, Role.COORDINATOR).username)
    assert not sees(colleague, job)
