"""The import page for a first-time user: their only organisation and programme are chosen already, a refused
upload keeps the choices and says to choose the file again, and the templates carry an example row that is
never imported (a template uploaded unchanged writes nothing and says why)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import Membership, Role, User
from nextsteps.imports.models import ImportJob
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records.models import Person
from tests import factories
from tests.importing import translated

pytestmark = pytest.mark.django_db

URL = reverse("imports:index")
SA = "salvation-army-ro"


@pytest.fixture(autouse=True)
def _synchronous_jobs(settings: Any, tmp_path: Path) -> None:
    settings.IMPORTS_IN_BACKGROUND = False
    settings.DATA_DIR = tmp_path


def test_the_users_only_organisation_and_programme_are_chosen_and_shown(
    login: Callable[[str], Client], demo: Programme
) -> None:
    response = login("caseworker.sa").get(URL)
    form = response.context["form"]
    for name, value in (("organisation", Organisation.objects.get(slug=SA)), ("programme", demo)):
        assert form.fields[name].disabled and form[name].value() == value.pk
    html = response.content.decode()
    assert f'<option value="{demo.pk}" selected>{demo}</option>' in html


def test_a_choice_is_left_to_users_with_several(login: Callable[[str], Client], demo: Programme) -> None:
    sa = Organisation.objects.get(slug=SA)
    factories.programme(sa)
    user = User.objects.get(username="caseworker.sa")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="ijm-ro"), role=Role.CASEWORKER
    )
    form = login("caseworker.sa").get(URL).context["form"]
    assert not form.fields["organisation"].disabled and not form.fields["programme"].disabled


def test_a_refused_upload_keeps_the_choices_and_asks_for_the_file_again(
    login: Callable[[str], Client], demo: Programme
) -> None:
    factories.programme(Organisation.objects.get(slug=SA))
    chosen = SimpleUploadedFile("persons.csv", b"external_id,sex\nUP-9,female\n")
    response = login("caseworker.sa").post(
        URL, {"programme": "", "date_format": "DD/MM/YYYY", "uploads": [chosen]}
    )
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    form = response.context["form"]
    assert form.errors["programme"]
    assert form.errors["uploads"] == [
        translated("ro", "Choose the file again: a browser does not keep it when the page is shown again.")
    ]
    html = response.content.decode()
    assert '<option value="DD/MM/YYYY" selected>' in html
    sa = Organisation.objects.get(slug=SA)
    assert f'<option value="{sa.pk}" selected>{sa}</option>' in html


def test_an_upload_without_a_file_is_refused(login: Callable[[str], Client], demo: Programme) -> None:
    response = login("caseworker.sa").post(URL, {"date_format": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["uploads"]
    assert not ImportJob.objects.exists()


def download(client: Client, key: str, fmt: str) -> SimpleUploadedFile:
    response = client.get(reverse("imports:template", args=[key, fmt]))
    assert response.status_code == 200
    return SimpleUploadedFile(f"{key}.{fmt}", response.content)


def upload(client: Client, *files: SimpleUploadedFile) -> ImportJob:
    client.post(URL, {"uploads": list(files), "date_format": ""}, follow=True)
    return ImportJob.objects.order_by("-pk").first()  # type: ignore[return-value]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_template_imported_unchanged_writes_nothing_and_says_why(
    login: Callable[[str], Client], fmt: str
) -> None:
    client = login("caseworker.sa")
    before = Person.objects.count()
    job = upload(client, download(client, "persons", fmt))
    assert job.status == "failed"
    (error,) = json.loads(job.errors)
    assert error[0] == f"persons.{fmt}" and error[1] == 2
    assert error[4] == translated(
        "ro",
        "this file holds only the template's example row, which is never imported: "
        "write your own rows below it or in its place, then import the file again",
    )
    assert Person.objects.count() == before


def test_the_csv_templates_example_row_is_marked_and_skipped_beside_real_rows(
    login: Callable[[str], Client],
) -> None:
    client = login("caseworker.sa")
    template = download(client, "persons", "csv").read().decode("utf-8-sig")
    header, example = template.splitlines()
    assert example.startswith("EXAMPLE-")
    names = header.split(",")
    row = {"external_id": "REAL-1", "sex": "female", "birth_year": "1990"}
    lines = [header, example, ",".join(row.get(name, "") for name in names)]
    job = upload(client, SimpleUploadedFile("persons.csv", ("\n".join(lines) + "\n").encode()))
    assert job.status == "done", job.errors
    assert Person.objects.filter(organisation__slug=SA, external_id="REAL-1").exists()
    assert not Person.objects.filter(external_id__startswith="EXAMPLE-").exists()


def test_the_workbook_marks_its_required_columns(login: Callable[[str], Client]) -> None:
    content = download(login("caseworker.sa"), "persons", "xlsx").read()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    header = {cell.value: cell for cell in sheet[1]}
    assert header["external_id"].font.bold and header["external_id"].comment is not None
    assert not header["given_name"].font.bold and header["given_name"].comment is None
    assert str(sheet["A2"].value).startswith("EXAMPLE-")
