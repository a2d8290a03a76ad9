"""The write-ahead log during an export: import N outreach visits into a new SQLite file, export them with
`export-records` (one audit entry per visit), and print the largest size the -wal file reached.

    .venv/bin/python benchmarks/export_audit_benchmark.py                  # 20,000 visits
    .venv/bin/python benchmarks/export_audit_benchmark.py --rows 200000 --without-ids

SQLite only (the -wal file is SQLite's). A thread samples the file's size every few milliseconds while the
export runs; the export's audit entries are written in batches that each commit, so the log can be
checkpointed between them and stays bounded (settings: journal_size_limit) whatever N is.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.import_benchmark import generate, run_import, scope, setup_django


class WalWatcher(threading.Thread):
    """The largest size the -wal file reached while it ran."""

    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            with contextlib.suppress(OSError):
                self.peak = max(self.peak, os.path.getsize(self.path))
            time.sleep(0.002)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


def measure(rows: int, folder: Path, without_ids: bool = False) -> dict[str, float]:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    setup_django(folder)
    from django.core.management import call_command
    from django.db import connection

    from nextsteps.audit.models import AuditEntry

    programme, organisation = scope()
    run_import(generate(folder, "visits", rows), programme, organisation, 2000)
    if without_ids:
        # The export then first gives every visit an id: one change entry each, before the export entries.
        from nextsteps.records.models import OutreachVisit

        OutreachVisit.objects.filter(organisation=organisation).update(external_id="")
    wal = folder / "bench.sqlite3-wal"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = AuditEntry.objects.filter(action="export").count()
    watcher = WalWatcher(wal)
    watcher.start()
    start = time.perf_counter()
    call_command(
        "export-records",
        str(folder / "out"),
        "--programme",
        programme.slug,
        "--organisation",
        organisation.slug,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    seconds = time.perf_counter() - start
    peak = watcher.stop()
    entries = AuditEntry.objects.filter(action="export").count() - before
    database = os.path.getsize(folder / "bench.sqlite3")
    return {"rows": rows, "entries": entries, "seconds": seconds, "wal_peak": peak, "database": database}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--without-ids", action="store_true", help="visits without external ids")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(args.rows, Path(tmp), args.without_ids)
    mb = 1024 * 1024
    print(
        f"{figures['rows']:,.0f} visits exported in {figures['seconds']:.1f} s, "
        f"{figures['entries']:,.0f} export entries; write-ahead log at most {figures['wal_peak'] / mb:.1f} MB "
        f"(database {figures['database'] / mb:.1f} MB)"
    )


if __name__ == "__main__":
    main()
