"""docs/import-columns.md lists every column of every template, and is regenerated from the definitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from nextsteps.imports import columns as c
from nextsteps.imports.docs import column_reference
from tests.importing import command

DOC = Path(__file__).resolve().parent.parent / "docs" / "import-columns.md"

pytestmark = pytest.mark.django_db


def test_the_committed_column_reference_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == column_reference(), (
        "docs/import-columns.md is stale: run `nextsteps import-columns -o docs/import-columns.md`"
    )


def test_it_lists_every_column_with_allowed_values_in_three_languages() -> None:
    text = column_reference()
    for record_type, column in c.iter_columns():
        assert f"## {record_type.key}" in text
        assert f"| `{column.name}` |" in text
    assert "`legal_support`: Juridische ondersteuning / Legal support / Asistență juridică" in text
    assert "`female`: vrouw / female / " in text


def test_every_column_has_a_description_and_every_required_one_an_example() -> None:
    for _record_type, column in c.iter_columns():
        assert str(column.description).strip()
        if column.required:
            assert column.example


def test_the_command_writes_the_page(tmp_path: Path) -> None:
    target = tmp_path / "columns.md"
    command("import-columns", "-o", str(target))
    assert target.read_text(encoding="utf-8") == column_reference()
