"""The field forms are XLSForms that pyxform converts without error, labelled in Dutch, English and Romanian."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management.base import CommandError
from lxml import etree
from pyxform.xls2xform import convert

from nextsteps.imports.kobo.forms import FORMS, LANGUAGES, sheets
from nextsteps.imports.kobo.submissions import MAPPINGS
from tests.importing import command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("form", sorted(FORMS))
def test_pyxform_converts_each_form_without_errors_or_warnings(tmp_path: Path, form: str) -> None:
    command("kobo-forms", "-o", str(tmp_path), "--form", form)
    warnings: list[str] = []
    result = convert(xlsform=str(tmp_path / f"{form}.xlsx"), warnings=warnings)
    assert warnings == []
    xform = etree.fromstring(result.xform.encode())
    languages = {node.get("lang") for node in xform.iter("{http://www.w3.org/2002/xforms}translation")}
    assert languages == set(LANGUAGES.values())


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_question_is_labelled_in_three_languages_and_the_importer_knows_its_fields(form: str) -> None:
    survey = sheets(FORMS[form])["survey"]
    names = {row["name"] for row in survey}
    for row in survey:
        if row["type"] not in ("start", "end"):
            assert all(row.get(f"label::{name}") for name in LANGUAGES.values()), row["name"]
    assert set(MAPPINGS[form].fields) <= names


def test_choice_lists_come_from_the_managed_lists() -> None:
    choices = sheets(FORMS["outreach_visit"])["choices"]
    shelter = next(row for row in choices if row["name"] == "homeless_shelter")
    assert shelter["label::Dutch (nl)"] == "Daklozenopvang"
    assert shelter["label::Romanian (ro)"] == "Adăpost pentru persoane fără adăpost"


def test_it_writes_all_forms_by_default(tmp_path: Path) -> None:
    out, _err = command("kobo-forms", "-o", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{name}.xlsx" for name in FORMS)
    assert out.count("\n") == len(FORMS)


def test_an_unknown_form_gets_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Unknown form"):
        command("kobo-forms", "-o", str(tmp_path), "--form", "census")
