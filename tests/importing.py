"""Helpers for the import tests: write small template files and import them."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from nextsteps.imports.cli import file_source
from nextsteps.imports.importer import Importer, ImportResult
from nextsteps.programmes.models import Organisation, Programme


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]] = (),
    *,
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(programme: Programme, organisation: Organisation, *paths: Path, **options: Any) -> ImportResult:
    """Import files through the importer itself (raises ImportFailed on errors)."""
    type_key = options.pop("type", None)
    importer = Importer(programme=programme, organisation=organisation, **options)
    return importer.run([file_source(path, type_key) for path in paths])


def command(name: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()
