"""Command-line helpers of the person, volunteer and retention commands: the language of messages, finding a
person or a volunteer, and who may answer their requests."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.i18n import LANGUAGE_CODES
from nextsteps.programmes.models import Organisation
from nextsteps.records.models import Person, Volunteer


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


def find_volunteer(code: str, organisation_slug: str | None) -> Volunteer:
    """The volunteer with this code in the organisation (or the only one with it), or a one-line CommandError."""
    volunteers = Volunteer.objects.filter(code=code).select_related("organisation")
    if organisation_slug:
        volunteers = volunteers.filter(organisation__slug=organisation_slug)
    found = list(volunteers)
    if not found:
        raise CommandError(_("There is no volunteer with the code “%(code)s”.") % {"code": code})
    if len(found) > 1:
        raise CommandError(
            _(
                "Volunteers of several organisations have the code “%(code)s” (%(organisations)s): name one "
                "with --organisation."
            )
            % {"code": code, "organisations": ", ".join(sorted(v.organisation.slug for v in found))}
        )
    return found[0]


def add_user_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--user",
        required=True,
        metavar="USERNAME",
        help="who answers the request, recorded in the audit trail: the data-protection officer of the "
        "person's organisation",
    )


def rights_user(username: str) -> Any:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("There is no user “%(user)s”.") % {"user": username})
    return user


def require_rights(user: Any, person: Person | Volunteer) -> None:
    """The same rule as the page (nextsteps/accounts/access.py): a person's requests are for the
    data-protection officer of the person's own organisation, not for an administrator."""
    if person.organisation_id not in access.capability_organisations(user, access.PERSON_RIGHTS):
        raise CommandError(
            _(
                "%(user)s is not the data-protection officer of %(organisation)s, so may not answer the "
                "requests of its persons. Nothing was done."
            )
            % {"user": user.get_username(), "organisation": person.organisation}
        )


def busy_message() -> str:
    return _(
        "The database was too busy to clear the erased values' old bytes from its files now; the next run "
        "of “nextsteps apply-retention” clears them."
    )
