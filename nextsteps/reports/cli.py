"""Command-line helpers shared by `nextsteps report` and `nextsteps export`: one-line errors, safe writes."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from nextsteps.programmes.models import Programme
from nextsteps.reports.builder import AUDIENCES


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
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(
            _("%(option)s must be a date written as YYYY-MM-DD, not “%(value)s”.")
            % {"option": option, "value": value}
        ) from None


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
