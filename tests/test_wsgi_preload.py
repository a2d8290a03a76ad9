"""gunicorn imports the app once and forks its workers from it (deploy/gunicorn.conf.py): a worker that starts,
or replaces one after max_requests, pays no import of the URLs and API schemas, and shares no database
connection with the master or another worker."""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

from nextsteps.privacy import crypto
from tests import keys
from tests.commandline import ROOT


def test_the_server_configuration_preloads_the_app() -> None:
    assert runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))["preload_app"] is True


def test_the_wsgi_module_loads_what_workers_share_and_leaves_no_database_connection_open(
    tmp_path: Path,
) -> None:
    crypto.write_key_file(tmp_path / "keys", [keys.CURRENT], keys.SEARCH)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "NEXTSTEPS_KEY_FILE": str(tmp_path / "keys"),
        "NEXTSTEPS_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    probe = (
        "import sys, nextsteps.wsgi\n"
        "from django.db import connections\n"
        "from django.template import engines\n"
        "from django.utils.translation import trans_real\n"
        "print('nextsteps.urls' in sys.modules, all(c.connection is None for c in connections.all()))\n"
        "cache = engines['django'].engine.template_loaders[0].get_template_cache\n"
        "print('base.html' in cache, 'reports/dashboard_pillars.html' in cache)\n"
        "print(sorted(trans_real._translations))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0].split() == ["True", "True"]
    # Compiled and loaded in the master, so that no worker compiles them on its first requests.
    assert out[1].split() == ["True", "True"]
    assert all(code in out[2] for code in ("'en'", "'nl'", "'ro'"))
