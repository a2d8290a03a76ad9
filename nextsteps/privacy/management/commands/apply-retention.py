"""nextsteps apply-retention: anonymise the people whose programme's retention period has passed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nextsteps.privacy import places, storage
from nextsteps.privacy.cli import add_language_argument, busy_message, language
from nextsteps.privacy.retention import apply_retention, due_for_erasure
from nextsteps.privacy.volunteers import apply_volunteer_retention, due_volunteers
from nextsteps.programmes.models import Programme
from nextsteps.reports.cli import get_programme


class Command(BaseCommand):
    help = (
        "Anonymise every person whose cases all closed longer ago than their programme's retention period "
        "(months identifying data is kept after the last case closed) and who has no record since, with the "
        "same erasure as `nextsteps person erase`: every figure of every report stays the same; likewise the "
        "volunteers who left, when the period has passed since their record last changed. Then the "
        "database's files are cleared of freed bytes (SQLite: checkpoint and VACUUM) when someone was "
        "anonymised or an earlier clearing is still owed. "
        "--dry-run lists who is due, by code only, and changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="only people with a case in this programme (slug)")
        parser.add_argument("--dry-run", action="store_true", help="list who is due; change nothing")
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(language(options["lang"])):
            self.run(options["programme"], options["dry_run"])

    def run(self, slug: str | None, dry_run: bool) -> None:
        programme: Programme | None = None
        if slug:
            programme = get_programme(slug)
            if programme.retention_months_after_closure is None:
                raise CommandError(
                    _(
                        "The programme “%(slug)s” sets no retention period, so it keeps identifying data; "
                        "set one in the admin first."
                    )
                    % {"slug": slug}
                )
        today = dt.date.today()
        if dry_run:
            due = due_for_erasure(today, programme)
            for item in due:
                # Codes only: the listing ends up in terminals and logs, names must never.
                self.stdout.write(
                    _("%(code)s (%(organisation)s): last case closed %(closed)s, kept %(months)s months")
                    % {
                        "code": item.person.code,
                        "organisation": item.person.organisation.slug,
                        "closed": item.last_closed.isoformat(),
                        "months": item.months,
                    }
                )
            leaving = due_volunteers(today, programme)
            for left in leaving:
                self.stdout.write(
                    _(
                        "%(code)s (%(organisation)s): volunteer who left, last change %(date)s, kept %(months)s months"
                    )
                    % {
                        "code": left.volunteer.code,
                        "organisation": left.volunteer.organisation.slug,
                        "date": left.last_activity.isoformat(),
                        "months": left.months,
                    }
                )
            self.stdout.write(
                ngettext(
                    "Dry run: %(count)d volunteer would be erased.",
                    "Dry run: %(count)d volunteers would be erased.",
                    len(leaving),
                )
                % {"count": len(leaving)}
            )
            self.stdout.write(
                ngettext(
                    "Dry run: %(count)d person would be anonymised; nothing was changed.",
                    "Dry run: %(count)d persons would be anonymised; nothing was changed.",
                    len(due),
                )
                % {"count": len(due)}
            )
            return
        erased = apply_retention(today, programme, clear_files=False)
        self.stdout.write(
            ngettext(
                "%(count)d person was anonymised; every figure of every report stays the same.",
                "%(count)d persons were anonymised; every figure of every report stays the same.",
                len(erased),
            )
            % {"count": len(erased)}
        )
        gone = apply_volunteer_retention(today, programme)
        self.stdout.write(
            ngettext(
                "%(count)d volunteer who left was erased.",
                "%(count)d volunteers who left were erased.",
                len(gone),
            )
            % {"count": len(gone)}
        )
        # Once for the whole run (each erasure would otherwise rebuild the file), and also when no one was
        # due if an earlier clearing could not be done (the database was busy). Not on every quiet night: a
        # rebuild of a large SQLite file makes other writers wait.
        if (erased or gone or storage.pending()) and not storage.clear_freed_bytes(places.tables()):
            self.stderr.write(busy_message())
