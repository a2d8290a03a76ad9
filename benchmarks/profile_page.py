"""The CPU one page costs the server, and where it goes: one request profiled with cProfile.

It calls the app's WSGI handler in this process (the whole middleware stack, production settings: DEBUG off,
plain HTTP) as a signed-in persona with the second factor verified, as the load benchmark's clients are. The
first requests warm the caches (templates, translations, the live cache of figures); then it times
`--requests` requests (CPU time of this process, and the number of queries of one) and profiles one more.

    DATABASE_URL=sqlite:////path/m1.sqlite3 NEXTSTEPS_DATA_DIR=/path/data \\
        .venv/bin/python benchmarks/profile_page.py /cases/mine/ --persona caseworker.sa --top 40

Use it on a copy of a database: signing in writes sessions (and a TOTP device for the persona).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", help="the page's address, with its query string (e.g. /persons/)")
    parser.add_argument("--persona", default="caseworker.sa")
    parser.add_argument("--requests", type=int, default=50, help="timed requests (default 50)")
    parser.add_argument("--top", type=int, default=30, help="functions to list, by cumulative time")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime)")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="profile this process's CPU time, not wall time (waits for the database then count nothing)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("NEXTSTEPS_HTTPS", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextsteps.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from benchmarks.load_benchmark import sign_in
    from benchmarks.report_benchmark import load_average

    session = sign_in(args.persona, 1)[0]
    connection.close()
    handler = WSGIHandler()
    path, _, query = args.path.partition("?")

    def request() -> tuple[str, int]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_COOKIE": f"sessionid={session}",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        statuses: list[str] = []

        def start_response(status: str, headers: Any, *_: Any) -> Any:
            statuses.append(status)
            return lambda data: None

        body = b"".join(handler(environ, start_response))
        return statuses[0], len(body)

    for _ in range(3):
        status, size = request()
    if not status.startswith("200"):
        raise SystemExit(f"{args.path} answered {status}, not 200")
    # Counted by a wrapper: the handler empties connection.queries when each request starts.
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        request()
    # Each request timed alone as well: on a shared machine the median moves far less than the mean.
    cpus: list[float] = []
    wall = time.perf_counter()
    for _ in range(args.requests):
        started = time.process_time()
        request()
        cpus.append(time.process_time() - started)
    wall = time.perf_counter() - wall
    print(
        f"{args.path} as {args.persona}: {status}, {size:,} bytes, {len(queries)} queries; "
        f"CPU {sum(cpus) * 1000 / args.requests:.1f} ms/request (median {statistics.median(cpus) * 1000:.1f}), "
        f"wall {wall * 1000 / args.requests:.1f} ms/request ({args.requests} requests); "
        f"load average {load_average()}"
    )
    profile = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    profile.enable()
    for _ in range(5):
        request()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    if os.environ.get("SHOW_QUERIES"):
        for sql in queries:
            print(sql[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
