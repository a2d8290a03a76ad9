"""What the import and export commands share: options, the user's language, a progress bar, the error list."""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nextsteps import spreadsheets
from nextsteps.i18n import LANGUAGE_CODES
from nextsteps.imports import columns as c
from nextsteps.imports.importer import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_ERRORS,
    Importer,
    ImportFailed,
    ImportResult,
    Progress,
    Source,
    infer_type,
)
from nextsteps.imports.readers import Table, TableError, open_table
from nextsteps.imports.values import DateFormat
from nextsteps.programmes.models import Organisation, Programme


def environment_language() -> str:
    """The user's language from the usual environment variables (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for part in os.environ.get(name, "").split(":"):
            code = part[:2].lower()
            if code in LANGUAGE_CODES:
                return code
    return "en"


def language(option: str | None) -> str:
    lang = option or environment_language()
    if lang not in LANGUAGE_CODES:
        raise CommandError(_("Unknown language “%(lang)s”; choose nl, en or ro.") % {"lang": lang})
    return lang


def add_scope_arguments(parser: CommandParser, *, organisation_required: bool = True) -> None:
    parser.add_argument("--programme", required=True, help="programme slug, e.g. next-steps")
    parser.add_argument(
        "--organisation",
        required=organisation_required,
        help="slug of the organisation whose records these are",
    )
    parser.add_argument("--lang", help="language of messages: nl, en or ro (default: from the environment)")


def add_import_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--date-format",
        help="order of numeric dates such as 03/04/2021 in every date column: DD/MM/YYYY or MM/DD/YYYY",
    )
    parser.add_argument(
        "--user",
        required=True,
        help="username of the person importing: their roles decide what they may write, and the audit "
        "trail names them",
    )
    parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="rows written per transaction, at most"
    )
    parser.add_argument(
        "--max-errors", type=int, default=DEFAULT_MAX_ERRORS, help="errors listed at most (all are counted)"
    )
    parser.add_argument("--errors", help="also write the errors to this CSV file")
    parser.add_argument(
        "--progress", action="store_true", help="show progress even when stderr is not a terminal"
    )
    parser.add_argument("--no-progress", action="store_true", help="never show progress")


def get_programme(slug: str) -> Programme:
    try:
        return Programme.objects.get(slug=slug)
    except Programme.DoesNotExist:
        raise CommandError(_("There is no programme “%(slug)s”.") % {"slug": slug}) from None


def get_organisation(slug: str, programme: Programme) -> Organisation:
    try:
        organisation = Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        raise CommandError(_("There is no organisation “%(slug)s”.") % {"slug": slug}) from None
    if not programme.organisations.filter(pk=organisation.pk).exists():
        raise CommandError(
            _("%(organisation)s does not take part in %(programme)s.")
            % {"organisation": organisation, "programme": programme}
        )
    return organisation


def get_user(username: str | None) -> Any:
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("There is no user “%(user)s”.") % {"user": username})
    return user


def run_import(
    command: BaseCommand, importer: Importer, sources: list[Source], options: dict[str, Any]
) -> None:
    """Run an import for a command: progress on stderr, every error listed, a summary of what was written."""
    bar = progress_bar(options, command.stderr)
    importer.progress = bar
    try:
        result = importer.run(sources)
    except ImportFailed as failed:
        if bar:
            bar.finish()
        report_errors(failed.result, command.stderr.write, options["errors"])
        # The write pass stopped part-way (see importer.py): what its committed batches wrote stays.
        for line in summary(failed.result) if failed.result.written_rows else ():
            command.stdout.write(line)
        raise CommandError(failure_message(failed.result)) from None
    if bar:
        bar.finish()
    if options["dry_run"]:
        command.stdout.write(
            _("All %(rows)s rows are valid; nothing was written (--dry-run).") % {"rows": f"{result.rows:,}"}
        )
        return
    for line in summary(result):
        command.stdout.write(line)


def date_format(text: str | None) -> DateFormat | None:
    if not text:
        return None
    try:
        return DateFormat.parse(text)
    except ValueError:
        raise CommandError(
            _("“%(format)s” is not a date format; write for example DD/MM/YYYY or MM/DD/YYYY.")
            % {"format": text}
        ) from None


def record_type(key: str) -> c.RecordType:
    try:
        return c.TYPES[key]
    except KeyError:
        raise CommandError(
            _("Unknown record type “%(type)s”; choose one of %(types)s.")
            % {"type": key, "types": ", ".join(c.TYPES)}
        ) from None


class ProgressBar:
    """A one-line bar on a terminal, redrawn at most ten times a second."""

    def __init__(self, stream: IO[str], width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.last = 0.0
        self.drawn = False

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and progress.fraction < 1:
            return
        self.last = now
        filled = int(progress.fraction * self.width)
        phase = _("checking") if progress.phase == "validate" else _("writing")
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {progress.fraction:4.0%} {phase} "
            f"{progress.file} ({progress.rows:,})\033[K"
        )
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def progress_bar(options: dict[str, Any], stream: Any) -> ProgressBar | None:
    if options.get("no_progress"):
        return None
    raw = getattr(stream, "_out", stream)
    if options.get("progress") or (hasattr(raw, "isatty") and raw.isatty()):
        return ProgressBar(raw)
    return None


def report_errors(result: ImportResult, write: Callable[[str], None], errors_file: str | None) -> None:
    for error in result.errors:
        write(error.line())
    if result.error_count > len(result.errors):
        write(_("… and %(count)s more errors.") % {"count": f"{result.error_count - len(result.errors):,}"})
    if errors_file:
        with open(Path(errors_file), "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(spreadsheets.csv_row([_("file"), _("row"), _("column"), _("value"), _("reason")]))
            for error in result.errors:
                writer.writerow(
                    spreadsheets.csv_row(
                        [error.file, error.row or "", error.column or "", error.value, error.message()]
                    )
                )


def failure_message(result: ImportResult) -> str:
    if result.written_rows:
        return _(
            "The import stopped after writing %(written)s of %(rows)s rows; import the same files again to "
            "complete it."
        ) % {"written": f"{result.written_rows:,}", "rows": f"{result.rows:,}"}
    return ngettext(
        "The import found %(count)s error; nothing was written.",
        "The import found %(count)s errors; nothing was written.",
        result.error_count,
    ) % {"count": f"{result.error_count:,}"}


def summary(result: ImportResult) -> list[str]:
    lines = []
    for key, counts in result.counts.items():
        lines.append(
            _("%(type)s: %(created)s added, %(changed)s changed, %(unchanged)s unchanged.")
            % {
                "type": c.TYPES[key].label,
                "created": f"{counts.created:,}",
                "changed": f"{counts.changed:,}",
                "unchanged": f"{counts.unchanged:,}",
            }
        )
    if result.new_cases:
        lines.append(
            _("%(count)s cases were opened for persons named without a case.")
            % {"count": f"{result.new_cases:,}"}
        )
    if result.person_ids:
        lines.extend(_duplicates_warning(result.person_ids))
    if result.warning_count:
        lines.append(
            ngettext(
                "Warning: %(count)s count is unusually high for this programme: check it.",
                "Warning: %(count)s counts are unusually high for this programme: check them.",
                result.warning_count,
            )
            % {"count": f"{result.warning_count:,}"}
        )
        lines.extend(warning.line() for warning in result.warnings)
    return lines


def _duplicates_warning(person_ids: Any) -> list[str]:
    """A warning, not an error: persons of the import with the same name and year of birth as another
    person of their organisation, who may have been recorded twice."""
    from nextsteps.records.duplicates import having_duplicates

    count, codes = having_duplicates(person_ids)
    if not count:
        return []
    return [
        ngettext(
            "Warning: %(count)s imported person has the same name and year of birth as another person of the "
            "organisation (%(codes)s): check the possible duplicate persons.",
            "Warning: %(count)s imported persons have the same name and year of birth as another person of "
            "the organisation (%(codes)s): check the possible duplicate persons.",
            count,
        )
        % {"count": f"{count:,}", "codes": ", ".join(codes) + (", …" if count > len(codes) else "")}
    ]


def file_source(path: Path, type_key: str | None, *, name: str | None = None) -> Source:
    """A Source for a file, its record type given or told from its header (and, if need be, its name).
    `name` is what messages call the file (the upload page keeps files under other names)."""
    name = name or path.name
    if type_key:
        rtype = record_type(type_key)
    else:
        try:
            table = open_table(path, name=name)
        except TableError as error:
            raise CommandError(str(error)) from None
        try:
            fits = infer_type(table.header, name)
        finally:
            table.close()
        if len(fits) != 1:
            raise CommandError(
                _(
                    "Cannot tell which template %(file)s follows from its columns; name it with --type "
                    "(one of %(types)s)."
                )
                % {"file": name, "types": ", ".join(t.key for t in (fits or c.RECORD_TYPES))}
            )
        rtype = fits[0]

    def opener() -> Table:
        return open_table(path, sheet=rtype.key, name=name)

    return Source(rtype, name, opener, weight=max(path.stat().st_size, 1) if path.exists() else 1)


def distinct_names(sources: list[Source], paths: list[str]) -> None:
    """Messages name files by their name; two files of the same name (in two folders) go by their path."""
    names = [source.name for source in sources]
    for source, path in zip(sources, paths, strict=True):
        if names.count(source.name) > 1:
            source.name = path
