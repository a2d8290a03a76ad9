"""nextsteps volunteer export|erase CODE: a volunteer's rights under the GDPR, as `nextsteps person` does for
persons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy import places, storage, volunteers
from nextsteps.privacy.cli import (
    add_language_argument,
    add_user_argument,
    busy_message,
    find_volunteer,
    language,
    require_rights,
    rights_user,
)
from nextsteps.privacy.erasure import AlreadyErased
from nextsteps.reports.cli import write_file


class Command(BaseCommand):
    help = (
        "A volunteer's rights under the GDPR. `volunteer export CODE` writes everything held about the "
        "volunteer as JSON; `volunteer erase CODE --yes` empties their name, phone number and external id and "
        "gives them a pseudonym code, keeping every figure the same. Both are written to the audit trail under "
        "--user, who must be the data-protection officer of the volunteer's organisation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{export,erase}")
        exporting = actions.add_parser("export", help="everything held about a volunteer, as JSON")
        erasing = actions.add_parser("erase", help="erase a volunteer's identifying details; figures stay")
        for sub in (exporting, erasing):
            sub.add_argument("code", help="the volunteer's code, e.g. VOL-0001")
            sub.add_argument("--organisation", help="slug of the volunteer's organisation, when codes repeat")
            add_language_argument(sub)
            add_user_argument(sub)
        exporting.add_argument("-o", "--output", help="file to write instead of printing")
        erasing.add_argument("--yes", action="store_true", help="erase; without it nothing is erased")

    def handle(self, *args: Any, **options: Any) -> None:
        options["lang"] = language(options["lang"])
        with translation.override(options["lang"]):
            user = rights_user(options["user"])
            volunteer = find_volunteer(options["code"], options["organisation"])
            require_rights(user, volunteer)
            if options["action"] == "export":
                content = volunteers.render(volunteers.volunteer_data(volunteer, options["lang"]))
                if options["output"]:
                    write_file(Path(options["output"]), content.encode("utf-8"))
                else:
                    self.stdout.write(content, ending="")
                log(AuditEntry.Action.EXPORT, volunteer, user=user)
                return
            if not options["yes"]:
                raise CommandError(_("Erasing cannot be undone: add --yes to confirm. Nothing was erased."))
            try:
                volunteer = volunteers.erase_volunteer(volunteer, acting_user=user)
            except AlreadyErased as error:
                raise CommandError(str(error)) from None
            self.stdout.write(
                _("The volunteer was erased: their record now carries the code %(code)s.")
                % {"code": volunteer.code}
            )
            if not storage.clear_freed_bytes(places.tables()):
                self.stderr.write(busy_message())
