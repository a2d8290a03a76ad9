"""The app under load: the pages staff open all day, served by gunicorn to 20 concurrent clients (wrk).

On a database with N generated persons (SQLite file or PostgreSQL, made with `nextsteps generate` unless it
is there already), it starts gunicorn on 127.0.0.1 as a server runs it (deploy/gunicorn.conf.py, DEBUG off;
plain HTTP on the loopback), signs in 20 sessions of each persona a page is measured for, the way a browser
would end up after the password and the second factor (a session in Django's store with the second factor
marked verified), checks that each page really renders (200, not a redirect to sign-in), times the first
dashboard request after a write (the live cache of figures is empty then), then drives each page with
`wrk -c20 -t2 -d30s` and prints requests per second, latency percentiles, errors, the server's CPU time per
request, each page's p95 against the target (met or missed, with the ratio) and the load average before and
after (other jobs may share the machine).

Pages: the dashboard as it opens and over the last generated programme year, the persons and visits lists
(caseworker.sa), My cases (caseworker.sa, given a caseload of open cases of the organisation if the demo's
personas did not bring one), a picker search by the first letters of a code and by a whole given name
(caseworker.sa; each search that shows names writes its audit entry, as in use), and the data-quality page
(coordinator, who plans the programme).

    .venv/bin/python benchmarks/load_benchmark.py                         # 1,000,000 persons on SQLite
    .venv/bin/python benchmarks/load_benchmark.py --quick                 # 10,000 persons, 10 s per page
    .venv/bin/python benchmarks/load_benchmark.py --postgres postgres://nextsteps:nextsteps@127.0.0.1:5432/nextsteps_loadbench

Needs `wrk` (Debian: apt-get install wrk). The target (issues 6 and 14) is p95 at most 200 ms, every answer a 200.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.report_benchmark import (
    PROGRAMME,
    ROOT,
    ensure_postgres,
    fresh_statistics,
    load_average,
    size_arguments,
    size_options,
)

TARGET_P95_MS = 200
BIN = Path(sys.executable).parent

# Per request, the next of the clients' session cookies (one session per simulated user), and a count of
# answers other than 200: wrk itself counts only 4xx/5xx as errors, and a redirect to sign-in is neither.
WRK_SCRIPT = """
local cookies = {%(cookies)s}
local threads = {}
local path = "%(path)s"
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  counter = offset
  not_ok = 0
end
function request()
  counter = counter + 1
  return wrk.format("GET", path, {["Cookie"] = "sessionid=" .. cookies[(counter %% #cookies) + 1]})
end
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("not_ok") end
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, bad,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = size_arguments(__doc__)
    parser.add_argument("--quick", action="store_true", help="10,000 persons and 10 s per page")
    parser.add_argument("--sqlite", type=Path, help="SQLite file (default data/bench/load-N-Y-S.sqlite3)")
    parser.add_argument(
        "--postgres", help="PostgreSQL URL instead of SQLite; the database is created if missing"
    )
    parser.add_argument(
        "--persona", default="caseworker.sa", help="demo user of the dashboard, lists, My cases and pickers"
    )
    parser.add_argument(
        "--planner", default="coordinator", help="demo user of the data-quality page (plans the programme)"
    )
    parser.add_argument(
        "--pages", help="only the pages whose label contains one of these comma-separated words"
    )
    parser.add_argument("--connections", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--duration", type=int, default=30, help="seconds per page (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load per page before measuring")
    parser.add_argument(
        "--workers",
        type=int,
        help="gunicorn processes (default: deploy/gunicorn.conf.py's, as on a server: 3, or NEXTSTEPS_WORKERS)",
    )
    parser.add_argument("--threads", type=int, help="gunicorn threads per process (default: the config's, 1)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.persons = 10_000 if args.persons == 1_000_000 else args.persons
        args.duration = min(args.duration, 10)
    return args


def server_env(args: argparse.Namespace, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "NEXTSTEPS_DATA_DIR": env.get("NEXTSTEPS_DATA_DIR", str(ROOT / "data")),
            "DEBUG": "0",
            # Plain HTTP on the loopback: no redirect to HTTPS, cookies not marked secure.
            "NEXTSTEPS_HTTPS": "0",
            "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "nextsteps.settings",
        }
    )
    return env


def prepare_database(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Migrate and generate (a no-op when the same run was generated before), with the data folder's keys."""
    if args.postgres:
        ensure_postgres(args.postgres)
    nextsteps = str(BIN / "nextsteps")
    subprocess.run([nextsteps, "init-keys"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([nextsteps, "migrate", "-v0"], env=env, check=True)
    began = time.perf_counter()
    subprocess.run(
        [nextsteps, "generate", "--programme", PROGRAMME, *size_options(args)],
        env=env,
        check=True,
    )
    print(f"generate: {time.perf_counter() - began:.0f} s (seconds only when it had to generate)")


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def sign_in(username: str, clients: int) -> list[str]:
    """Session keys of `clients` signed-in sessions of one persona, second factor verified (as in the test
    suite's `login` fixture): what a browser holds after the sign-in pages."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nextsteps.accounts.models import User
    from nextsteps.demo.load import ensure_personas

    if not User.objects.filter(username=username).exists():
        ensure_personas(secrets.token_urlsafe(24))
    user = User.objects.get(username=username)
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="load-benchmark", defaults={"confirmed": True}
    )
    keys = []
    for _ in range(clients):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        assert session.session_key is not None
        keys.append(session.session_key)
    return keys


# A caseworker's caseload in My cases when the persona has none yet (demo personas made before the cases).
CASELOAD = 40


def ensure_caseload(username: str) -> int:
    """The persona's open cases; when there are none, CASELOAD open cases of their organisations without a
    caseworker are assigned to them (through the actions layer, audited) so that My cases lists some."""
    from nextsteps.accounts import access
    from nextsteps.accounts.models import User
    from nextsteps.casework.actions import assign_case
    from nextsteps.records.models import Case

    user = User.objects.get(username=username)
    mine = Case.objects.filter(caseworker=user, status=Case.Status.OPEN)
    if not mine.exists():
        free = Case.objects.filter(
            organisation__in=access.casework_organisations(user, access.CHANGE),
            caseworker__isnull=True,
            status=Case.Status.OPEN,
        ).order_by("-pk")
        for case in free[:CASELOAD]:
            assign_case(case, acting_user=None, caseworker=user)
    return mine.count()


def picker_searches(username: str) -> tuple[str, str]:
    """What a caseworker types in a person picker: the first letters of a code of their organisation (all
    but its last two characters: a handful of persons), and the whole given name of one of its persons."""
    from nextsteps.accounts import access
    from nextsteps.accounts.models import User
    from nextsteps.records.models import Person

    user = User.objects.get(username=username)
    person = (
        Person.objects.filter(organisation__in=access.organisations_for(user, "person"))
        .exclude(given_name_hash="")
        .order_by("-pk")
        .first()
    )
    if person is None:
        raise SystemExit(f"{username} sees no person with a name: no picker search to measure")
    return person.code[:-2], person.given_name


def pages(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """(label, address, persona) of each page: the dashboard as it opens (the latest period with records),
    the dashboard over the last whole programme year that has generated records, given as dates, the first
    page of two lists, My cases, two picker searches and the data-quality page as it opens."""
    from urllib.parse import urlencode

    from nextsteps.programmes.models import Programme
    from nextsteps.scale.generator import add_years

    start = add_years(Programme.objects.get(slug=PROGRAMME).start_date, args.years - 1)
    last_day = (add_years(start, 1) - dt.timedelta(days=1)).isoformat()
    busy = f"/?period=custom&date_from={start.isoformat()}&date_to={last_day}"
    cases = ensure_caseload(args.persona)
    code, name = picker_searches(args.persona)
    chosen = [
        ("dashboard as it opens", "/", args.persona),
        (f"dashboard, {start.isoformat()} – {last_day}", busy, args.persona),
        ("persons list", "/persons/", args.persona),
        ("visits list", "/visits/", args.persona),
        (f"My cases ({cases} open)", "/cases/mine/", args.persona),
        ("picker, code prefix", "/pick/persons/?" + urlencode({"q": code}), args.persona),
        ("picker, given name", "/pick/persons/?" + urlencode({"q": name}), args.persona),
        ("data-quality page", "/quality/", args.planner),
    ]
    if args.pages:
        words = [w.strip().lower() for w in args.pages.split(",") if w.strip()]
        chosen = [page for page in chosen if any(w in page[0].lower() for w in words)]
    return chosen


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(base: str, path: str, session: str) -> tuple[int, float]:
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={session}"})
    began = time.perf_counter()
    try:
        with opener.open(request, timeout=600) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - began


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """gunicorn with the configuration a server runs (deploy/gunicorn.conf.py, docs/deploy.md), on the
    benchmark's port; the access log it writes for each request is thrown away."""
    command = [str(BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{args.port}", "--log-level", "warning"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    # The first dashboard after a write recomputes a year of figures: seconds at a million persons.
    command += ["--timeout", "600"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=5).read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within a minute")


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """CPU time (user + system) used so far by gunicorn's master and workers, with the workers it replaced
    (after max_requests) and reaped."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == server.pid:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime: reaped workers
    return total / ticks


def run_wrk(
    args: argparse.Namespace, base: str, path: str, sessions: list[str], seconds: int, connections: int = 0
) -> dict[str, Any]:
    script = WRK_SCRIPT % {"cookies": ", ".join(f'"{s}"' for s in sessions), "path": path}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-c{connections or args.connections}",
                f"-t{min(2, connections or args.connections)}",
                f"-d{seconds}s",
                "--timeout",
                "60s",
                "--latency",
                "-s",
                handle.name,
                base,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()[1:]
    requests, duration_us, p50, p95, p99, worst, not_ok, socket_errors, http_errors = map(int, fields)
    return {
        "requests": requests,
        "rps": requests / (duration_us / 1e6),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "p99_ms": p99 / 1000,
        "max_ms": worst / 1000,
        "not_200": not_ok,
        "socket_errors": socket_errors,
        "http_errors": http_errors,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    if args.postgres:
        database_url = args.postgres
    else:
        path = (
            args.sqlite or ROOT / "data" / "bench" / f"load-{args.persons}-{args.years}-{args.seed}.sqlite3"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{path.resolve()}"
    env = server_env(args, database_url)
    prepare_database(args, env)
    setup_django(env)
    from django.db import connection

    fresh_statistics(connection)

    from nextsteps.audit.log import bump_data_version
    from nextsteps.records.models import OutreachVisit, Person

    sessions = {args.persona: sign_in(args.persona, args.connections)}
    targets = pages(args)
    for _label, _path, persona in targets:
        if persona not in sessions:
            sessions[persona] = sign_in(persona, args.connections)
    print(
        f"{connection.vendor}: {Person.objects.count():,} persons, {OutreachVisit.objects.count():,} visits; "
        f"gunicorn deploy/gunicorn.conf.py, {args.workers or 'its'} workers × {args.threads or 1} threads; "
        f"wrk {args.connections} connections, "
        f"{args.duration} s per page; personas {', '.join(sessions)}"
    )
    connection.close()
    base = f"http://127.0.0.1:{args.port}"
    results: dict[str, Any] = {"load_before": load_average(), "pages": {}}
    server = start_server(args, env)
    try:
        for label, path, persona in targets:
            status, seconds = fetch(base, path, sessions[persona][0])
            if status != 200:
                raise SystemExit(
                    f"{label} ({path}) answered {status}, not 200: check the persona and settings"
                )
            print(f"first request, {label}: {seconds * 1000:.0f} ms")
        # The first dashboard after a write: the live cache does not hold the new data version yet.
        bump_data_version()
        connection.close()
        results["after_write_ms"] = {
            label: fetch(base, path, sessions[persona][0])[1] * 1000
            for label, path, persona in targets
            if label.startswith("dashboard")
        }
        for label, path, persona in targets:
            run_wrk(args, base, path, sessions[persona], args.warmup)
            # One client alone: the time a request takes when nothing queues (a third of the duration).
            alone = run_wrk(args, base, path, sessions[persona], max(5, args.duration // 3), connections=1)
            cpu = server_cpu_seconds(server)
            result = run_wrk(args, base, path, sessions[persona], args.duration)
            # The server's CPU per request: what the page costs whatever else runs on the machine.
            result["server_cpu_ms"] = (server_cpu_seconds(server) - cpu) * 1000 / max(result["requests"], 1)
            result["alone_p50_ms"] = alone["p50_ms"]
            result["path"] = path
            result["persona"] = persona
            results["pages"][label] = result
            print(f"{label}: {json.dumps(result)}")
            print(f"  {verdict_line(label, result)}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    results["load_after"] = load_average()
    print_table(args, results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    failed = any(r["not_200"] or r["socket_errors"] or r["http_errors"] for r in results["pages"].values())
    return 1 if failed else 0


def verdict(result: dict[str, Any]) -> str:
    ratio = result["p95_ms"] / TARGET_P95_MS
    return f"{'met' if ratio <= 1 else 'missed'} ({ratio:.2f}×)"


def verdict_line(label: str, result: dict[str, Any]) -> str:
    bad = result["not_200"] + result["socket_errors"] + result["http_errors"]
    return (
        f"{label}: p95 {result['p95_ms']:,.0f} ms, target ≤ {TARGET_P95_MS} ms: {verdict(result)}; "
        f"server CPU {result['server_cpu_ms']:,.1f} ms/request; "
        + ("every answer a 200" if not bad else f"{bad} answers not 200 or failed: missed")
    )


def print_table(args: argparse.Namespace, results: dict[str, Any]) -> None:
    print()
    print(f"load average before {results['load_before']}, after {results['load_after']}")
    print("first dashboard request after a write (live cache empty):")
    for label, ms in results["after_write_ms"].items():
        print(f"  {label}: {ms:,.0f} ms")
    print()
    print(
        f"| page | persona | requests/s | p50 ms | p95 ms | p99 ms | max ms | not 200 | errors "
        f"| p95 ≤ {TARGET_P95_MS} ms | 1 client p50 ms | server CPU ms/request |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for label, r in results["pages"].items():
        print(
            f"| {label} | {r['persona']} | {r['rps']:,.1f} | {r['p50_ms']:,.0f} | {r['p95_ms']:,.0f} "
            f"| {r['p99_ms']:,.0f} | {r['max_ms']:,.0f} | {r['not_200']} | {r['socket_errors'] + r['http_errors']} "
            f"| {verdict(r)} | {r['alone_p50_ms']:,.0f} | {r['server_cpu_ms']:,.1f} |"
        )
    print()
    for label, r in results["pages"].items():
        print(verdict_line(label, r))


if __name__ == "__main__":
    sys.exit(main())
