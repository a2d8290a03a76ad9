"""Command-line helpers shared by `nextsteps report` and `nextsteps export`: one-line errors, safe writes."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nextsteps.i18n import LANGUAGE_CODES
from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import AUDIENCES

# Reports cover a programme's working years: a date far outside them is a typing mistake ("2921" for
# "2021"), better refused than answered with an empty report.
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
# Only the written-out form: Python also reads "20210801" and "2021W311", which nobody means as a date.
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def language_in(args: Sequence[str]) -> str | None:
    """The --lang of a command line, when it names a language the product speaks."""
    for position, arg in enumerate(args):
        if arg == "--lang" and position + 1 < len(args):
            value = args[position + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        else:
            continue
        return value if value in LANGUAGE_CODES else None
    return None


def explain_usage_error(message: str) -> str:
    """argparse's complaint as a sentence of ours, in the active language (argparse's own are English)."""
    if match := re.fullmatch(r"the following arguments are required: (.+)", message):
        names = match.group(1).split(", ")
        return ngettext(
            "The option %(options)s is required.", "The options %(options)s are required.", len(names)
        ) % {"options": ", ".join(names)}
    if match := re.fullmatch(r"unrecognized arguments: (.+)", message):
        return _("Unknown option or argument: %(arguments)s.") % {"arguments": match.group(1)}
    if match := re.fullmatch(r"argument ([^:]+): expected one argument", message):
        return _("%(option)s needs a value.") % {"option": match.group(1).split("/")[-1]}
    return message


class OneLineParser(CommandParser):
    """A command line that is not understood gets one line in the user's language, never argparse's usage
    block: the same as every other bad input of these commands."""

    language: str | None = None

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        self.language = language_in(sys.argv[1:] if args is None else list(args))
        return super().parse_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        with translation.override(self.language or translation.get_language()):
            text = explain_usage_error(message)
        if self.called_from_command_line:
            self.exit(CommandError(text).returncode, f"CommandError: {text}\n")
        raise CommandError(text)


class PeriodCommand(BaseCommand):
    """Base of the commands that report on a period (report, export): one-line errors for a bad command
    line too."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django builds the parser itself; only its error handling changes, so the class is swapped.
        parser.__class__ = OneLineParser
        return parser


def add_audience_argument(parser: CommandParser, *, default: str) -> None:
    parser.add_argument(
        "--audience",
        default=default,
        help=f"internal (exact figures) or external (donors, the public: counts of people below the "
        f"programme's threshold are withheld); default {default}",
    )


def parse_audience(value: str) -> str:
    if value not in AUDIENCES:
        raise CommandError(
            _("Unknown audience “%(audience)s”; choose internal or external.") % {"audience": value}
        )
    return value


def parse_date(value: str, option: str) -> dt.date:
    try:
        if not DATE_PATTERN.fullmatch(value):
            raise ValueError(value)
        date = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(
            _("%(option)s must be a date written as YYYY-MM-DD, not “%(value)s”.")
            % {"option": option, "value": value}
        ) from None
    if not FIRST_DATE <= date <= LAST_DATE:
        raise CommandError(
            _("%(option)s must be a date from %(first)s to %(last)s, not %(value)s.")
            % {"option": option, "first": FIRST_DATE, "last": LAST_DATE, "value": value}
        )
    return date


def parse_period(start: str, end: str) -> tuple[dt.date, dt.date]:
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    if first > last:
        raise CommandError(
            _("The period starts (%(start)s) after it ends (%(end)s).") % {"start": first, "end": last}
        )
    return first, last


def get_programme(slug: str) -> Programme:
    try:
        return Programme.objects.get(slug=slug)
    except Programme.DoesNotExist:
        raise CommandError(_("There is no programme “%(slug)s”.") % {"slug": slug}) from None


def write_file(path: Path, content: bytes) -> None:
    """Write the whole file or nothing: a failed write never leaves half a report where the old one was."""
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise CommandError(
            _("Could not write %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        # mkstemp makes the file private; give it the permissions a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CommandError(
            _("Could not write %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
        ) from None
