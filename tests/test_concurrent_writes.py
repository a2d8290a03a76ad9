"""Concurrent use of a SQLite database: saves, sign-ins and page reads during two imports get no server error.

pytest-django's SQLite test database lives in memory with a shared cache, whose locking differs from a file's
(no busy timeout), so this test runs the real thing: the demo in a SQLite file, gunicorn with several
processes and threads on 127.0.0.1, two `nextsteps import` commands at once and, while they run, threads
that save persons through the API, read person pages and sign in.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from django.db import connection

from nextsteps.demo.management.commands.demo import DEFAULT_PASSWORD
from tests.commandline import ROOT, nextsteps

# Big enough that the write pass of each import takes a few seconds on the development machine.
IMPORT_ROWS = 20_000
# The clients stop after this long even if an import has not ended; the imports are then waited for.
DEADLINE = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def persons_file(path: Path, prefix: str, rows: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        out = csv.writer(stream)
        out.writerow(["external_id", "sex", "birth_year", "given_name", "family_name", "phone"])
        for i in range(rows):
            out.writerow(
                [f"{prefix}-{i:06d}", "female", 1990 + i % 20, "Fictiva", "Inventatu", f"+40 7{i:08d}"]
            )
    return path


class Clients:
    """Threads that each repeat one kind of request until told to stop, recording every answer's status and
    when it was sent."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.stop = threading.Event()
        self.answers: list[tuple[str, int, float, float]] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def record(self, kind: str, status: int, began: float) -> None:
        with self.lock:
            self.answers.append((kind, status, began, time.monotonic()))

    def add(self, kind: str, call: Callable[[requests.Session], int], session: requests.Session) -> None:
        def loop() -> None:
            while not self.stop.is_set():
                began = time.monotonic()
                try:
                    status = call(session)
                except requests.RequestException as error:
                    with self.lock:
                        self.failures.append(f"{kind}: {error}")
                    status = 0
                self.record(kind, status, began)

        self.threads.append(threading.Thread(target=loop, name=kind, daemon=True))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def signed_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, (answer.status_code, answer.text[:500])
    return session


def sign_in_status(base: str, username: str) -> Callable[[requests.Session], int]:
    def call(_session: requests.Session) -> int:
        fresh = requests.Session()
        page = fresh.get(f"{base}/accounts/login/", timeout=60)
        if page.status_code != 200:
            return page.status_code
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token
        answer = fresh.post(
            f"{base}/accounts/login/",
            data={"username": username, "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": f"{base}/accounts/login/"},
            allow_redirects=False,
            timeout=60,
        )
        return answer.status_code

    return call


def save_person(base: str, token: str, person: int) -> Callable[[requests.Session], int]:
    counter = iter(range(10**6))

    def call(session: requests.Session) -> int:
        answer = session.patch(
            f"{base}/api/v1/records/persons/{person}",
            json={"phone": f"+40 799 {next(counter):06d}"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        return answer.status_code

    return call


def read_page(base: str, path: str) -> Callable[[requests.Session], int]:
    def call(session: requests.Session) -> int:
        answer = session.get(f"{base}{path}", allow_redirects=False, timeout=60)
        return answer.status_code

    return call


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "nextsteps.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    command += ["--threads", "4", "--timeout", "120", "--log-level", "warning"]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(f"{base}/accounts/login/", timeout=5)
            return server
        except requests.RequestException:
            if server.poll() is not None:
                pytest.fail(f"gunicorn did not start: {log.read_text()}")
            time.sleep(0.2)
    stop(server)
    pytest.fail("gunicorn did not answer within a minute")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_saves_sign_ins_and_page_reads_during_two_imports_get_no_server_error(tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's file locking is what this test is about; PostgreSQL does not lock the database")
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "concurrency-test-" + "x" * 40,
        "NEXTSTEPS_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Sign-in with a password alone: the second step is not what this test is about.
        "NEXTSTEPS_REQUIRE_2FA": "0",
        "NEXTSTEPS_LOCKOUT_ADDRESS": "100000",
        "LANG": "en_GB.UTF-8",
    }
    loaded = nextsteps("demo", "--no-serve", data_dir=tmp_path, env=env)
    assert loaded.returncode == 0, loaded.stderr
    tokens = {}
    for user in ("caseworker.sa", "caseworker.ijm"):
        made = nextsteps("api-token", "create", user, "--name", "concurrency", data_dir=tmp_path, env=env)
        assert made.returncode == 0, made.stderr
        tokens[user] = made.stdout.strip()
    imports = {
        "salvation-army-ro": ("caseworker.sa", persons_file(tmp_path / "sa.csv", "SA-IMP", IMPORT_ROWS)),
        "ijm-ro": ("caseworker.ijm", persons_file(tmp_path / "ijm.csv", "IJM-IMP", IMPORT_ROWS)),
    }
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NEXTSTEPS_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "nextsteps.settings",
        **env,
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(full_env, port, tmp_path / "server.log")
    running: list[subprocess.Popen[str]] = []
    try:
        clients = Clients(base)
        # Four API clients saving four different persons of two organisations (the finding's scenario).
        for user, persons in (("caseworker.sa", (20, 21)), ("caseworker.ijm", (1, 2))):
            for person in persons:
                clients.add("api save", save_person(base, tokens[user], person), requests.Session())
        clients.add("person page", read_page(base, "/persons/22/"), signed_in(base, "caseworker.sa"))
        clients.add("person page", read_page(base, "/persons/3/"), signed_in(base, "caseworker.ijm"))
        clients.add("sign-in", sign_in_status(base, "outreach.sa"), requests.Session())
        clients.add("sign-in", sign_in_status(base, "volunteers.dorcas"), requests.Session())
        began = time.monotonic()
        for organisation, (user, path) in imports.items():
            command = [sys.executable, "-m", "nextsteps.manage", "import", "--programme", "next-steps"]
            command += ["--organisation", organisation, "--user", user, "--no-progress", str(path)]
            running.append(
                subprocess.Popen(
                    command, env=full_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
            )
        clients.start()
        while any(p.poll() is None for p in running) and time.monotonic() - began < DEADLINE:
            time.sleep(0.2)
        imports_ended = time.monotonic()
        clients.finish()
        outputs = [p.communicate(timeout=120) for p in running]
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
        stop(server)
    during = [a for a in clients.answers if a[3] <= imports_ended]
    server_errors = [(kind, status) for kind, status, _b, _e in clients.answers if status >= 500]
    assert clients.failures == []
    assert server_errors == [], (tmp_path / "server.log").read_text()[-3000:]
    # The second import waited its turn between the first's batches instead of failing.
    for process, (out, err) in zip(running, outputs, strict=True):
        assert process.returncode == 0, err
        assert f"persons: {IMPORT_ROWS:,} added, 0 changed, 0 unchanged." in out
    # Every kind of client got through while the imports wrote, not only after them.
    assert {kind for kind, status, _b, _e in during if status in (200, 302)} == {
        "api save",
        "person page",
        "sign-in",
    }
    assert all(status in (200, 302) for _k, status, _b, _e in clients.answers)
