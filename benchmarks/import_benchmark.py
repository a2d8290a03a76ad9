"""Import throughput: generate an N-row synthetic CSV and import it, printing rows per second and memory.

    .venv/bin/python benchmarks/import_benchmark.py                      # 1,000,000 outreach visits, SQLite
    .venv/bin/python benchmarks/import_benchmark.py --rows 100000 --kind services
    DATABASE_URL=postgres://nextsteps:nextsteps@127.0.0.1:5432/nextsteps_bench \\
        .venv/bin/python benchmarks/import_benchmark.py --rows 200000

Without DATABASE_URL the database is a new SQLite file in a temporary folder, removed afterwards. With it,
the database is migrated and the benchmark's programme added to it (use a scratch database). The import runs
with full validation, then a second time over the same file (every row unchanged), as a re-import would.
Peak memory is the process's maximum resident set size (ru_maxrss); --tracemalloc adds Python's own count of
the import's peak allocations, at a cost in speed.

It ends with issue #14's targets for a first import, each as met or missed with the measured ratio:
at least 20,000 validated rows a second (wall clock; the processor time is printed beside it, since the
machine may be shared); the Python heap flat (the live memory blocks Python holds, sampled as the import
reports progress, peak no more than 10% higher in the second half of each pass than in the first); and one
audit entry per record created (counted in the database afterwards).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

SITES = ["household", "Homeless shelter", "straat", "Gospodărie", "other"]
SERVICES = ["legal_support", "Psychosociale hulp", "Educație", "medical", "shelter"]
LOCALITIES = ["Bucharest", "Oradea", "Cluj-Napoca", "Iași", "Ploiești", "Timișoara"]
GIVEN_NAMES = ["Fictiva", "Inventata", "Sintetica", "Probina", "Exempla", "Imagina"]
FAMILY_NAMES = ["Fictivescu", "Inventatu", "Exemplaru", "Probeanu", "Imaginaru", "Nonexistescu"]


def rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """This process's processor time: the machine may be shared, and wall-clock time then says little."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# Issue #14's targets for a first import.
TARGET_ROWS_PER_SECOND = 20_000
HEAP_GROWTH_ALLOWED = 1.10


def date(rng: random.Random) -> str:
    return f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def generate(folder: Path, kind: str, rows: int, seed: int = 1) -> list[Path]:
    """The same rows for the same seed; another seed changes every row's values but not its external id."""
    rng = random.Random(seed)
    if kind == "visits":
        path = folder / "outreach_visits.csv"
        with open(path, "w", encoding="utf-8", newline="") as stream:
            out = csv.writer(stream)
            out.writerow(["external_id", "date", "locality", "site_type"])
            for i in range(rows):
                out.writerow([f"V-{i:07d}", date(rng), rng.choice(LOCALITIES), rng.choice(SITES)])
        return [path]
    if kind == "persons":
        # Names and phones: each value is encrypted on its own and each person gets three name hashes, the
        # most expensive row an import writes.
        path = folder / "persons.csv"
        with open(path, "w", encoding="utf-8", newline="") as stream:
            out = csv.writer(stream)
            out.writerow(["external_id", "sex", "birth_year", "given_name", "family_name", "phone"])
            for i in range(rows):
                out.writerow(
                    [
                        f"P-{i:07d}",
                        rng.choice(["female", "male"]),
                        1960 + i % 50,
                        rng.choice(GIVEN_NAMES),
                        rng.choice(FAMILY_NAMES),
                        f"+40 7{rng.randrange(10**8):08d}",
                    ]
                )
        return [path]
    persons = max(rows // 10, 1)
    files = [folder / "persons.csv", folder / "cases.csv", folder / "services.csv"]
    with open(files[0], "w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(["external_id", "sex", "birth_year", "survivor_status"])
        for i in range(persons):
            out.writerow(
                [f"P-{i:07d}", rng.choice(["female", "male", "vrouw", "masculin"]), 1960 + i % 50, "no"]
            )
    with open(files[1], "w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        # Consents are not imported: a new case gives the reason why it opened without one (the case's rule).
        out.writerow(["external_id", "person", "opened", "consent_not_asked_reason"])
        for i in range(persons):
            # Opened on the first day services are dated: a service dated before its case opened is refused.
            out.writerow([f"C-{i:07d}", f"P-{i:07d}", "2021-01-01", "Synthetic benchmark data."])
    with open(files[2], "w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(["external_id", "case", "service_type", "date", "note"])
        for i in range(rows):
            out.writerow(
                [f"S-{i:07d}", f"C-{rng.randrange(persons):07d}", rng.choice(SERVICES), date(rng), ""]
            )
    return files


def setup_django(folder: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextsteps.settings")
    os.environ.setdefault("NEXTSTEPS_DATA_DIR", str(folder))
    import django

    django.setup()
    from django.core.management import call_command

    # Identifying fields are encrypted: the benchmark's own key file, in its temporary folder.
    call_command("init-keys", verbosity=0)
    call_command("migrate", verbosity=0)


def scope() -> tuple[Any, Any]:
    import datetime as dt

    from nextsteps.programmes.models import Organisation, Programme
    from nextsteps.records import actions

    n = int(time.time())
    organisation = actions.create_record(
        Organisation, acting_user=None, name=f"Benchmark {n}", slug=f"bench-{n}", country="RO"
    )
    programme = actions.create_record(
        Programme,
        acting_user=None,
        name=f"Benchmark {n}",
        slug=f"bench-{n}",
        start_date=dt.date(2021, 1, 1),
        countries=["RO"],
        organisations=[organisation],
    )
    return programme, organisation


def run_import(files: list[Path], programme: Any, organisation: Any, batch_size: int) -> dict[str, float]:
    from nextsteps.imports.cli import file_source
    from nextsteps.imports.importer import Importer, Progress, Source

    phases: dict[str, float] = {"heap_first": 0, "heap_second": 0}
    start = time.perf_counter()
    cpu_start = cpu_seconds()

    def progress(event: Progress) -> None:
        if event.phase == "write" and "validate" not in phases:
            phases["validate"] = time.perf_counter() - start
            phases["validate_cpu"] = cpu_seconds() - cpu_start
        # Memory blocks Python holds now (cheap to read, unlike tracemalloc): what the import keeps alive.
        # The fraction runs from 0 to 0.5 over the check and from 0.5 to 1 over the write.
        half = "heap_first" if event.fraction % 0.5 < 0.25 else "heap_second"
        phases[half] = max(phases[half], sys.getallocatedblocks())

    sources: list[Source] = [file_source(path, None) for path in files]
    importer = Importer(
        programme=programme, organisation=organisation, batch_size=batch_size, progress=progress
    )
    result = importer.run(sources)
    total = time.perf_counter() - start
    phases["cpu"] = cpu_seconds() - cpu_start
    phases.setdefault("validate", total)
    phases.setdefault("validate_cpu", phases["cpu"])
    phases["write"] = total - phases["validate"]
    phases["total"] = total
    phases["rows"] = result.rows
    phases["created"] = sum(c.created for c in result.counts.values())
    phases["unchanged"] = sum(c.unchanged for c in result.counts.values())
    phases["changed"] = sum(c.changed for c in result.counts.values())
    phases["audited"] = created_entries(result, organisation)
    return phases


def created_entries(result: Any, organisation: Any) -> int:
    """Audit entries of the records this import created (a fresh organisation: all of its creations)."""
    from nextsteps.audit.models import AuditEntry
    from nextsteps.imports import columns

    labels = [columns.TYPES[key].model._meta.label for key in result.counts]
    return AuditEntry.objects.filter(
        organisation=organisation, action=AuditEntry.Action.CREATE, model__in=labels
    ).count()


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def print_targets(first: dict[str, float]) -> None:
    """Issue #14's targets for a first import, each met or missed, with the ratio measured in this run."""
    rows = first["rows"]
    speed = rows / first["total"]
    per_cpu = rows / first["cpu"]
    print(f"targets (issue #14), first import; load average {os.getloadavg()[0]:.1f}:")
    print(
        f"  {verdict(speed >= TARGET_ROWS_PER_SECOND)}: >= {TARGET_ROWS_PER_SECOND:,} validated rows/s: "
        f"{speed:,.0f} rows/s = {speed / TARGET_ROWS_PER_SECOND:.2f}x the target "
        f"({per_cpu:,.0f} rows per CPU-second = {per_cpu / TARGET_ROWS_PER_SECOND:.2f}x)"
    )
    growth = first["heap_second"] / max(first["heap_first"], 1)
    print(
        f"  {verdict(growth <= HEAP_GROWTH_ALLOWED)}: Python heap flat: {first['heap_second']:,.0f} memory "
        f"blocks at most in the second half of each pass against {first['heap_first']:,.0f} in the first "
        f"= {growth:.2f}x (at most {HEAP_GROWTH_ALLOWED:.2f}x)"
    )
    audited, created = first["audited"], first["created"]
    print(
        f"  {verdict(audited == created)}: one audit entry per record created: {audited:,.0f} entries for "
        f"{created:,.0f} records = {audited / max(created, 1):.2f}x"
    )


# The importer's own default; the benchmark's settings are only read once Django is set up.
DEFAULT_BATCH_SIZE = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kind", choices=["visits", "services", "persons"], default="visits")
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="rows per transaction, at most"
    )
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    parser.add_argument("--once", action="store_true", help="skip the second (re-)import")
    parser.add_argument(
        "--changed", action="store_true", help="re-import a file in which every row's values changed"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    with tempfile.TemporaryDirectory(prefix="nextsteps-bench-") as tmp:
        folder = Path(tmp)
        setup_django(folder)
        from django.db import connection

        began = time.perf_counter()
        files = generate(folder, args.kind, args.rows)
        size = sum(f.stat().st_size for f in files)
        print(
            f"generated {args.rows:,} {args.kind} ({size / 1e6:.0f} MB of CSV) in "
            f"{time.perf_counter() - began:.1f}s; database: {connection.vendor}"
        )
        programme, organisation = scope()
        baseline = rss_mb()
        if args.tracemalloc:
            tracemalloc.start()
        first: dict[str, float] = {}
        for attempt in ("first import", "re-import") if not args.once else ("first import",):
            if attempt == "re-import" and args.changed:
                attempt = "re-import, every row changed"
                files = generate(folder, args.kind, args.rows, seed=2)
            figures = run_import(files, programme, organisation, args.batch_size)
            first = first or figures
            rows = figures["rows"]
            print(
                f"{attempt}: {rows:,.0f} rows in {figures['total']:.1f}s = {rows / figures['total']:,.0f} rows/s "
                f"(validate {rows / figures['validate']:,.0f} rows/s, write {rows / max(figures['write'], 1e-9):,.0f}"
                f" rows/s); {figures['created']:,.0f} added, {figures['changed']:,.0f} changed, "
                f"{figures['unchanged']:,.0f} unchanged"
            )
            print(
                f"  processor time of this process {figures['cpu']:.1f}s (validate {figures['validate_cpu']:.1f}s) = "
                f"{rows / figures['cpu']:,.0f} rows per CPU-second (with SQLite this includes the database's work; "
                "with PostgreSQL it does not)"
            )
            print(f"  peak RSS {rss_mb():.0f} MB (before the import: {baseline:.0f} MB)")
            if args.tracemalloc:
                _current, peak = tracemalloc.get_traced_memory()
                print(f"  tracemalloc peak {peak / 1e6:.0f} MB")
                tracemalloc.reset_peak()
        print_targets(first)
        connection.close()


if __name__ == "__main__":
    main()
