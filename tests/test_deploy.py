"""The server set-up of docs/deploy.md works as written: gunicorn started with the systemd unit's command line and
the example environment (DEBUG off, its own SECRET_KEY, behind the documented proxy header) answers the health
check over plain HTTP and the sign-in page over the proxy's HTTPS, and logs no probe and no query string."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nextsteps.privacy import crypto
from tests import backups, keys
from tests.commandline import ROOT

DEPLOY = ROOT / "deploy"
INSTALLED = "/opt/nextsteps"
HOST = "nextsteps.example.org"


def unit(name: str) -> dict[str, str]:
    """The [Service] settings of a systemd unit in deploy/."""
    settings: dict[str, str] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            settings.setdefault(key.strip(), value.strip())
    return settings


def example_environment() -> dict[str, str]:
    pairs = (
        line.partition("=")
        for line in (DEPLOY / "nextsteps.env.example").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {name: value for name, _sep, value in pairs}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Tests that use the server take `db`, so that the test database exists even when this module runs alone.
@pytest.fixture(scope="module")
def source(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> backups.Source:
    with django_db_blocker.unblock():
        return backups.test_database(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def server(source: backups.Source, tmp_path_factory: Any) -> Iterator[tuple[int, Path, dict[str, str]]]:
    service = unit("nextsteps.service")
    assert service["WorkingDirectory"] == INSTALLED
    assert service["EnvironmentFile"] == "/etc/nextsteps/nextsteps.env"
    command = shlex.split(
        service["ExecStart"]
        .replace(f"{INSTALLED}/.venv/bin/", f"{Path(sys.executable).parent}/")
        .replace(INSTALLED, str(ROOT))
    )
    key_folder = tmp_path_factory.mktemp("etc")
    crypto.write_key_file(key_folder / "keys", [keys.CURRENT], keys.SEARCH)
    port = free_port()
    env = {
        **example_environment(),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "NEXTSTEPS_KEY_FILE": str(key_folder / "keys"),
        "NEXTSTEPS_DATA_DIR": str(source.folder),
        "NEXTSTEPS_BIND": f"127.0.0.1:{port}",
        "NEXTSTEPS_WORKERS": "1",
    }
    if "DATABASE_URL" in source.env:
        env["DATABASE_URL"] = source.env["DATABASE_URL"]
    else:
        env["DATABASE_URL"] = f"sqlite:///{source.folder / 'nextsteps.sqlite3'}"
    log = tmp_path_factory.mktemp("log") / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if get(port, "/health/")[0] == 200:
                        break
                except OSError:
                    pass
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            yield port, log, env
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_the_health_check_answers_over_plain_http(server: tuple[int, Path, dict[str, str]], db: Any) -> None:
    port, _log, _env = server
    status, _headers, body = get(port, "/health/")
    assert (status, body) == (200, "ok")


def test_the_sign_in_page_answers_behind_the_proxy_with_production_headers(
    server: tuple[int, Path, dict[str, str]], db: Any
) -> None:
    port, _log, _env = server
    status, headers, body = get(port, "/accounts/login/", **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert 'name="password"' in body
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    # The application serves its own static files: no collectstatic step, no other server.
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', body)
    assert stylesheet is not None
    assert get(port, stylesheet.group(1), **{"X-Forwarded-Proto": "https"})[0] == 200
    # Straight to gunicorn, not through the proxy's TLS: sent to HTTPS.
    status, headers, _body = get(port, "/accounts/login/")
    assert (status, headers["Location"]) == (301, f"https://{HOST}/accounts/login/")


def test_the_access_log_has_no_probe_and_no_query_string(
    server: tuple[int, Path, dict[str, str]], db: Any
) -> None:
    port, log, _env = server
    get(port, "/accounts/login/?next=/persons/%3Fq%3DIlinca%2BSerban", **{"X-Forwarded-Proto": "https"})
    for _probe in range(3):
        get(port, "/health/")
    deadline = time.monotonic() + 10
    while "/accounts/login/" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert re.search(r'"GET /accounts/login/" 200 ', text), text
    assert "/health/" not in text
    assert "Ilinca" not in text


def test_commands_run_as_the_service_through_the_wrapper_and_pass_the_deploy_check(
    server: tuple[int, Path, dict[str, str]], db: Any, tmp_path: Path
) -> None:
    _port, _log, env = server
    env_file = tmp_path / "nextsteps.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items() if k != "PATH"), encoding="utf-8")
    check = subprocess.run(
        [str(DEPLOY / "nextsteps"), "check", "--deploy", "--fail-level", "WARNING"],
        # The checkout's own code, even where the virtual environment was installed from another one.
        env={"PATH": env["PATH"], "NEXTSTEPS_ENV_FILE": str(env_file), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert "no issues" in check.stdout


def test_the_example_environment_names_only_settings_that_exist() -> None:
    settings_source = (ROOT / "nextsteps" / "settings.py").read_text(encoding="utf-8")
    for name in example_environment():
        assert f'"{name}"' in settings_source, name
    assert "NEXTSTEPS_BIND" in (DEPLOY / "gunicorn.conf.py").read_text(encoding="utf-8")


def test_the_timers_run_the_documented_commands() -> None:
    assert (
        unit("nextsteps-retention.service")["ExecStart"] == f"{INSTALLED}/.venv/bin/nextsteps apply-retention"
    )
    assert (
        unit("nextsteps-counted-rows.service")["ExecStart"] == f"{INSTALLED}/.venv/bin/nextsteps counted-rows"
    )
    assert (
        f'{INSTALLED}/.venv/bin/nextsteps backup "/var/backups/nextsteps/'
        in unit("nextsteps-backup.service")["ExecStart"]
    )
    deploy_doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for name in ("nextsteps.service", "gunicorn.conf.py", "nextsteps.env.example", "Caddyfile"):
        assert f"deploy/{name}" in deploy_doc, name
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
