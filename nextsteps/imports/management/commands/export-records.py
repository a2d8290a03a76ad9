"""nextsteps export-records: an organisation's records of a programme as filled-in import templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.imports import cli
from nextsteps.imports.export import ORDER_FILE, export_records, import_order, readable_types
from nextsteps.imports.templates import FORMATS


class Command(BaseCommand):
    help = (
        "Write an organisation's records of a programme as import templates, one file per record type "
        "(every organisation of the programme, each in its own folder, when --organisation is left out)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR")
        cli.add_scope_arguments(parser, organisation_required=False)
        parser.add_argument("--format", dest="fmt", default="csv", help="csv or xlsx")
        parser.add_argument(
            "--include-identifying",
            action="store_true",
            help="also write names and phone numbers (left out by default)",
        )
        parser.add_argument(
            "--user",
            help="username of the person exporting: only the records they may read are written, and the "
            "audit trail names them (left out: the system exports everything, and the trail says so)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lang = cli.language(options["lang"])
        with translation.override(lang):
            fmt = options["fmt"]
            if fmt not in FORMATS:
                raise CommandError(_("Unknown format “%(format)s”; choose csv or xlsx.") % {"format": fmt})
            programme = cli.get_programme(options["programme"])
            user = cli.get_user(options["user"])
            directory = Path(options["directory"])
            if options["organisation"]:
                organisation = cli.get_organisation(options["organisation"], programme)
                if user is not None and not readable_types(user, organisation):
                    raise CommandError(
                        _("%(user)s may not read any records of %(organisation)s; nothing was exported.")
                        % {"user": user.get_username(), "organisation": organisation}
                    )
                targets = [(organisation, directory)]
            else:
                targets = [
                    (org, directory / org.slug)
                    for org in programme.organisations.order_by("slug")
                    if user is None or readable_types(user, org)
                ]
                if not targets:
                    raise CommandError(
                        _("%(user)s may not read any records of %(programme)s; nothing was exported.")
                        % {"user": user.get_username(), "programme": programme}
                    )
            for organisation, folder in targets:
                try:
                    written = export_records(
                        programme,
                        organisation,
                        folder,
                        fmt=fmt,
                        include_identifying=options["include_identifying"],
                        acting_user=user,
                        lang=lang,
                    )
                except OSError as error:
                    raise CommandError(
                        _("Could not write %(path)s: %(reason)s") % {"path": folder, "reason": error.strerror}
                    ) from None
                for key, count in written.items():
                    self.stdout.write(
                        _("%(organisation)s: %(count)s rows written to %(file)s")
                        % {
                            "organisation": organisation,
                            "count": f"{count:,}",
                            "file": folder / f"{key}.{fmt}",
                        }
                    )
            if not options["organisation"]:
                order = directory / ORDER_FILE
                slugs = [org.slug for org, _folder in targets]
                order.write_text("\n".join(import_order(programme, slugs)) + "\n", encoding="utf-8")
                self.stdout.write(
                    _(
                        "Import the folders in the order of %(file)s: an organisation's referrals before the "
                        "cases other organisations opened on them."
                    )
                    % {"file": order}
                )
