"""Rules of the test suite itself: every test database of a worker holds the demo, loaded once per session
(tests/conftest.py), and the tests of that worker read it."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# A transactional test empties every table when it ends (Django's TransactionTestCase flushes), so the
# demo is gone for whichever tests the same worker runs next: they then fail far from the cause, in an
# order that depends on how pytest-xdist shared out the modules.
FLUSHING = re.compile(r"django_db\([^)]*transaction\s*=\s*True|transactional_db|TransactionTestCase")


def test_no_test_empties_the_database_the_other_tests_of_its_worker_read() -> None:
    offenders = [
        f"{path.name}:{number}"
        for path in sorted(TESTS.glob("*.py"))
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if FLUSHING.search(line)
    ]
    assert offenders == [], (
        "Use a connection of its own (a thread, as tests/test_import_write_transactions.py does) or a "
        "fixture that reads the demo outside the test's transaction (tests/test_report_threads.py) instead."
    )
