"""Command-line helpers of the person and retention commands: the language of messages, finding a person."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from nextsteps.i18n import LANGUAGE_CODES
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Person


def add_language_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--lang",
        default=settings.LANGUAGE_CODE,
        help="language of messages and files: nl, en or ro (default: %(default)s)",
    )


def language(value: str) -> str:
    if value not in LANGUAGE_CODES:
        raise CommandError(_("Unknown language “%(lang)s”; choose nl, en or ro.") % {"lang": value})
    return value


def find_person(code: str, organisation_slug: str | None) -> Person:
    """The person with this code (codes are unique within an organisation), or a one-line CommandError."""
    persons = Person.objects.filter(code=code).select_related("organisation")
    if organisation_slug:
        organisation = Organisation.objects.filter(slug=organisation_slug).first()
        if organisation is None:
            raise CommandError(_("There is no organisation “%(slug)s”.") % {"slug": organisation_slug})
        persons = persons.filter(organisation=organisation)
        found: list[Any] = list(persons)
        if not found:
            raise CommandError(
                _("%(organisation)s has no person with the code “%(code)s”.")
                % {"organisation": organisation, "code": code}
            )
        return found[0]
    found = list(persons)
    if not found:
        raise CommandError(_("There is no person with the code “%(code)s”.") % {"code": code})
    if len(found) > 1:
        raise CommandError(
            _(
                "Persons of several organisations have the code “%(code)s” (%(organisations)s): name one "
                "with --organisation."
            )
            % {"code": code, "organisations": ", ".join(sorted(p.organisation.slug for p in found))}
        )
    return found[0]
