"""`nextsteps check --deploy` refuses what is fine on a laptop and dangerous on a server: the public development
SECRET_KEY (which the WSGI server also refuses unless DEBUG=1) and a second sign-in step switched off."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests import keys


def production_env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "nextsteps.example.org",
        "NEXTSTEPS_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "NEXTSTEPS_KEYS": keys.CURRENT,
        "NEXTSTEPS_SEARCH_KEY": keys.SEARCH,
    }
    for name in ("NEXTSTEPS_HTTPS", "NEXTSTEPS_REQUIRE_2FA", "NEXTSTEPS_INSECURE_DEV_KEY"):
        env.pop(name, None)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=False, timeout=120
    )


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run(env, "-m", "nextsteps.manage", "check", "--deploy", "--fail-level", "WARNING")


def test_the_deploy_check_errors_on_the_public_development_key(tmp_path: Path) -> None:
    result = deploy_check(production_env(tmp_path, SECRET_KEY=None))
    assert result.returncode != 0
    assert "privacy.E007" in result.stderr and "SECRET_KEY is the public development key" in result.stderr


def test_the_deploy_check_warns_when_the_second_sign_in_step_is_off(tmp_path: Path) -> None:
    result = deploy_check(production_env(tmp_path, NEXTSTEPS_REQUIRE_2FA="0"))
    assert result.returncode != 0
    assert "privacy.W002" in result.stderr and "NEXTSTEPS_REQUIRE_2FA=0" in result.stderr


def test_a_server_refuses_to_serve_on_the_public_development_key(tmp_path: Path) -> None:
    result = run(production_env(tmp_path, SECRET_KEY=None), "-c", "import nextsteps.wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY is the public development key" in result.stderr


def test_the_development_server_is_exempt(tmp_path: Path) -> None:
    # `nextsteps runserver` and `nextsteps demo` serve a laptop; check --deploy still reports the key.
    code = "import django.core.management.commands.runserver, nextsteps.wsgi"
    result = run(production_env(tmp_path, SECRET_KEY=None), "-c", code)
    assert result.returncode == 0, result.stderr


def test_a_server_with_its_own_key_starts(tmp_path: Path) -> None:
    result = run(production_env(tmp_path), "-c", "import nextsteps.wsgi")
    assert result.returncode == 0, result.stderr


def test_development_with_debug_on_runs_on_the_development_key(tmp_path: Path) -> None:
    env = production_env(tmp_path, SECRET_KEY=None, DEBUG="1")
    assert run(env, "-m", "nextsteps.manage", "check").returncode == 0
    assert run(env, "-c", "import nextsteps.wsgi").returncode == 0
