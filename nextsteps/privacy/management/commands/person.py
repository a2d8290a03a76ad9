"""nextsteps person export|erase CODE: a person's rights under the GDPR, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy import export, places, storage
from nextsteps.privacy.cli import (
    add_language_argument,
    add_user_argument,
    busy_message,
    find_person,
    language,
    require_rights,
    rights_user,
)
from nextsteps.privacy.erasure import AlreadyErased, erase_person
from nextsteps.privacy.models import Erasure
from nextsteps.reports.cli import write_file


class Command(BaseCommand):
    help = (
        "A person's rights under the GDPR. `person export CODE` writes everything held about the person "
        "(JSON, or HTML with --format html); `person erase CODE` anonymises the person for good, keeping "
        "every figure of every report the same. Both are written to the audit trail under --user, who must be "
        "the data-protection officer of the person's organisation, as on the data-protection requests page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{export,erase}")
        exporting = actions.add_parser("export", help="everything held about a person, as a readable file")
        erasing = actions.add_parser("erase", help="anonymise a person; figures stay the same")
        for sub in (exporting, erasing):
            sub.add_argument("code", help="the person's code, e.g. IJM-0003")
            sub.add_argument("--organisation", help="slug of the person's organisation, when codes repeat")
            add_language_argument(sub)
            add_user_argument(sub)
        exporting.add_argument("--format", dest="fmt", default="json", help="json or html (default json)")
        exporting.add_argument("-o", "--output", help="file to write instead of printing")
        erasing.add_argument("--yes", action="store_true", help="erase without asking to confirm")

    def handle(self, *args: Any, **options: Any) -> None:
        options["lang"] = language(options["lang"])
        with translation.override(options["lang"]):
            if options["action"] == "export":
                self.export(**options)
            else:
                self.erase(**options)

    def export(self, **options: Any) -> None:
        fmt = options["fmt"]
        if fmt not in export.FORMATS:
            raise CommandError(
                _("Unknown format “%(format)s”; choose one of %(formats)s.")
                % {"format": fmt, "formats": ", ".join(export.FORMATS)}
            )
        user = rights_user(options["user"])
        person = find_person(options["code"], options["organisation"])
        require_rights(user, person)
        content = export.render(export.person_data(person, options["lang"]), fmt)
        if options["output"]:
            path = Path(options["output"])
            write_file(path, content.encode("utf-8"))
        else:
            self.stdout.write(content, ending="")
        log(AuditEntry.Action.EXPORT, person, user=user)
        if options["output"]:
            self.stderr.write(
                _("Everything held about %(code)s was written to %(path)s.")
                % {"code": person.code, "path": path}
            )

    def erase(self, **options: Any) -> None:
        user = rights_user(options["user"])
        person = find_person(options["code"], options["organisation"])
        require_rights(user, person)
        erased = Erasure.objects.filter(person=person).first()
        if erased is not None:
            raise CommandError(
                _("%(code)s was erased already, on %(date)s.")
                % {"code": person.code, "date": erased.erased_at.date().isoformat()}
            )
        if not options["yes"]:
            self.confirm(person.code)
        try:
            erase_person(person, acting_user=user, clear_files=False)
        except AlreadyErased as error:
            raise CommandError(str(error)) from None
        person.refresh_from_db()
        self.stdout.write(
            _(
                "The person was erased: their records now carry the code %(code)s and every figure of every "
                "report stays the same."
            )
            % {"code": person.code}
        )
        if not storage.clear_freed_bytes(places.tables()):
            self.stderr.write(busy_message())

    def confirm(self, code: str) -> None:
        if not sys.stdin.isatty():
            raise CommandError(_("Erasing cannot be undone: add --yes to confirm. Nothing was erased."))
        answer = input(_("Erasing cannot be undone. Type the code %(code)s to confirm: ") % {"code": code})
        if answer.strip() != code:
            raise CommandError(_("The code did not match. Nothing was erased."))
