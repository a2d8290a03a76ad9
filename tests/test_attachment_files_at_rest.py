"""On a real SQLite file, as a laptop or small server keeps it: after an upload, no file of the data folder
(the database, its write-ahead log, anything else) holds the file's bytes or its name in clear.

It runs in a process of its own on a SQLite file whatever database the suite runs on (the suite's own
database is in memory or on a server)."""

from __future__ import annotations

from pathlib import Path

from tests import keys
from tests.attachments import MARKER
from tests.commandline import nextsteps

ENV = {"NEXTSTEPS_KEYS": keys.CURRENT, "NEXTSTEPS_SEARCH_KEY": keys.SEARCH}
NAME = "ZQX-passport-of-Ileana"

UPLOAD = f"""
import datetime as dt
from nextsteps.attachments.actions import upload_attachment
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records.models import Case, Person
from tests.attachments import pdf
from tests.factories import open_case

org = Organisation.objects.create(name="Casa", slug="casa", country="RO")
prog = Programme.objects.create(name="P", slug="p", start_date=dt.date(2021, 1, 1))
prog.organisations.add(org)
person = actions.create_record(Person, acting_user=None, organisation=org, code="CS-1", sex="female")
case = open_case(acting_user=None, programme=prog, organisation=org, person=person, opened=dt.date(2021, 3, 1)
)
upload_attachment(
    case, acting_user=None, kind="identity_document", title="{NAME}", file_name="{NAME}.pdf",
    declared_type="application/pdf", data=pdf(),
)
"""


def holding(folder: Path, needle: bytes) -> list[str]:
    return sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()
    )


def test_the_data_folder_never_holds_an_uploaded_file_in_clear(tmp_path: Path) -> None:
    assert nextsteps("migrate", "-v0", data_dir=tmp_path, env=ENV).returncode == 0
    done = nextsteps("shell", "-c", UPLOAD, data_dir=tmp_path, env=ENV)
    assert done.returncode == 0, done.stderr
    database = tmp_path / "nextsteps.sqlite3"
    assert database.stat().st_size > 0
    check = nextsteps(
        "shell",
        "-c",
        "from nextsteps.attachments.models import Attachment as A; "
        "print(A.objects.values_list('content', flat=True).get().count(b'ZQX-clear-bytes'))",
        data_dir=tmp_path,
        env=ENV,
    )
    # The application reads it back: finding nothing in the files below would otherwise prove nothing.
    assert check.stdout.strip().splitlines()[-1] == "1", check.stderr
    assert holding(tmp_path, MARKER) == []
    assert holding(tmp_path, NAME.encode()) == []
