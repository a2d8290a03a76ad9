"""Helpers for the import tests: write small template files and import them."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from nextsteps.accounts.models import Membership, Role, User
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


def importer_of(organisation: Organisation, role: str = Role.COORDINATOR) -> User:
    """A user who may import every record type into the organisation (a coordinator there)."""
    user, _created = User.objects.get_or_create(username=f"importer.{role}.{organisation.slug}")
    Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return user


def run(programme: Programme, organisation: Organisation, *paths: Path, **options: Any) -> ImportResult:
    """Import files through the importer itself (raises ImportFailed on errors), as a coordinator of the
    organisation unless `acting_user` says otherwise."""
    type_key = options.pop("type", None)
    if "acting_user" not in options:
        options["acting_user"] = importer_of(organisation)
    importer = Importer(programme=programme, organisation=organisation, **options)
    return importer.run([file_source(path, type_key) for path in paths])


def command(name: str, *args: str) -> tuple[str, str]:
    """Run a command; the import commands run as a coordinator of the organisation unless --user is given."""
    if name in ("import", "import-kobo") and "--user" not in args:
        slug = args[args.index("--organisation") + 1] if "--organisation" in args else None
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is not None:
            args = (*args, "--user", importer_of(organisation).username)
        else:
            # The command is to fail on something else: any existing user will do.
            args = (*args, "--user", User.objects.get_or_create(username="importer")[0].username)
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def translated(language: str, message: str, **params: Any) -> str:
    """The message as a user of that language reads it; it must really be translated, or the test proves
    nothing about the language."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(language):
        text = gettext(message)
    assert text != message, f"not translated into {language}: {message}"
    return text % params if params else text
