"""The period report on a PostgreSQL read replica (a script, not a test): docs/performance.md, "Beyond one machine".

Given a primary and a streaming replica of it (hot standby), it fills a database on the primary with
`nextsteps generate` (or reuses it), waits until the replica has replayed the load, then:
1. builds the full period report (every indicator, every breakdown) on the primary and on the replica, in a
   process each, and checks that every figure is the same and how long each took;
2. measures how far the replica lags behind: a series of small committed writes on the primary, each followed
   by polling the replica until it has replayed the write's position in the write-ahead log. That delay is
   what a report would wait for if it were to show "a record saved a second ago" while reading a replica.

    .venv/bin/python benchmarks/replica_benchmark.py \\
        --primary postgres://nextsteps:nextsteps@127.0.0.1:5432/nextsteps_replicabench \\
        --replica postgres://nextsteps:nextsteps@127.0.0.1:5433/nextsteps_replicabench

Setting up a replica on one machine (Debian, PostgreSQL 15; as root), as used for the figures in the docs:

    su postgres -c "pg_basebackup -D /var/lib/postgresql/15/replica -R -X stream -c fast"
    su postgres -c "touch /var/lib/postgresql/15/replica/postgresql.conf"
    cp /etc/postgresql/15/main/pg_hba.conf /var/lib/postgresql/15/replica/ && chown postgres $_/pg_hba.conf
    su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D /var/lib/postgresql/15/replica -l /tmp/replica.log \\
        -o '-p 5433 -c hba_file=/var/lib/postgresql/15/replica/pg_hba.conf -c hot_standby_feedback=on' start"
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.report_benchmark import PERIODS, PROGRAMME, ROOT, ensure_postgres, load_average, size_options


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--primary", default="postgres://nextsteps:nextsteps@127.0.0.1:5432/nextsteps_replicabench"
    )
    parser.add_argument(
        "--replica", default="postgres://nextsteps:nextsteps@127.0.0.1:5433/nextsteps_replicabench"
    )
    parser.add_argument("--persons", type=int, default=100_000, help="persons to generate (default 100,000)")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="timed reports per database (median reported)")
    parser.add_argument("--writes", type=int, default=200, help="small writes whose replay is timed")
    parser.add_argument("--data-dir", default=str(ROOT / "data" / "bench" / "replica"))
    parser.add_argument("--worker", choices=["generate", "report"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    return parser.parse_args()


def django_env(args: argparse.Namespace, url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "NEXTSTEPS_DATA_DIR": args.data_dir,
            "DJANGO_SETTINGS_MODULE": "nextsteps.settings",
        }
    )
    return env


def worker(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection

    from nextsteps.programmes.models import Programme
    from nextsteps.reports.builder import build_report

    if args.worker == "generate":
        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        call_command(
            "generate",
            programme=PROGRAMME,
            persons=str(args.persons),
            years=str(args.years),
            seed=str(args.seed),
        )
        seconds = time.perf_counter() - began
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return {"generated_seconds": seconds}
    programme = Programme.objects.get(slug=PROGRAMME)
    out: dict[str, Any] = {}
    for label, (first, last) in PERIODS.items():
        start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        build_report(programme, start, end, "en")
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            report = build_report(programme, start, end, "en")
            times.append(time.perf_counter() - began)
        out[label] = {
            "median": statistics.median(times),
            "figures": {
                line.indicator.code: [
                    str(line.value.total),
                    {k: int(v) for k, v in line.value.sex_age.items()},
                    {str(k): str(v) for k, v in line.value.by_organisation.items()},
                    {k: str(v) for k, v in line.value.by_locality.items()},
                ]
                for line in report.lines
            },
        }
    return out


def run_worker(kind: str, args: argparse.Namespace, url: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", kind, *size_options(args)]
    command += ["--runs", str(args.runs), "--data-dir", args.data_dir]
    done = subprocess.run(command, env=django_env(args, url), check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def replay_wait(primary: Any, replica: Any) -> float:
    """Seconds until the replica has replayed everything the primary has written so far."""
    target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    began = time.perf_counter()
    while not replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
        time.sleep(0.0005)
    return time.perf_counter() - began


def main() -> int:
    args = parse_args()
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    import psycopg

    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "nextsteps"), "init-keys"],
        env=django_env(args, args.primary),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    ensure_postgres(args.primary)
    generated = run_worker("generate", args, args.primary)
    print(f"generate on the primary: {generated['generated_seconds']:.0f} s ({args.persons:,} persons)")
    with (
        psycopg.connect(args.primary, autocommit=True) as primary,
        psycopg.connect(args.replica, autocommit=True) as replica,
    ):
        standby = replica.execute("SELECT pg_is_in_recovery()").fetchone()
        if not (standby and standby[0]):
            print("--replica is not a standby (pg_is_in_recovery() is false)")
            return 2
        print(f"replica caught up with the load after {replay_wait(primary, replica):.2f} s more")
        on_primary = run_worker("report", args, args.primary)
        on_replica = run_worker("report", args, args.replica)
        same = True
        print(f"{'period':<12} {'primary s':>10} {'replica s':>10}  figures")
        for label in PERIODS:
            equal = on_primary[label]["figures"] == on_replica[label]["figures"]
            same = same and equal
            print(
                f"{label:<12} {on_primary[label]['median']:>10.3f} {on_replica[label]['median']:>10.3f}  "
                f"{'equal' if equal else 'MISMATCH'} ({len(on_primary[label]['figures'])} indicators)"
            )
        lags = []
        for _ in range(args.writes):
            # A committed write of the size of a saved record: the data version every record write moves on.
            primary.execute("UPDATE audit_dataversion SET number = number + 1")
            lags.append(replay_wait(primary, replica))
        lags.sort()
        ms = [1000 * lag for lag in lags]
        print(
            f"replay lag after a small write ({args.writes} writes): p50 {statistics.median(ms):.1f} ms, "
            f"p95 {ms[int(0.95 * (len(ms) - 1))]:.1f} ms, max {ms[-1]:.1f} ms"
        )
        print(f"load average: {load_average()}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
