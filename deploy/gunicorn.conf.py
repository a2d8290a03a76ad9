"""Gunicorn's settings for Next Steps on a server (docs/deploy.md): `gunicorn --config deploy/gunicorn.conf.py`.

The systemd unit (deploy/nextsteps.service) runs exactly that, and tests/test_deploy.py starts it the same
way. Settings of the application itself come from the environment (deploy/nextsteps.env.example).
"""

import gc
import os

from gunicorn.glogging import Logger

wsgi_app = "nextsteps.wsgi:application"
# Only the reverse proxy on this machine talks to gunicorn; it terminates TLS.
bind = os.environ.get("NEXTSTEPS_BIND", "127.0.0.1:8000")
# Requests are short and CPU-bound (docs/performance.md): about two workers per core.
workers = int(os.environ.get("NEXTSTEPS_WORKERS", "3"))
# The app (with its URLs and API schemas: nextsteps/wsgi.py) is imported once, in the master, and each worker is
# a fork of it. Otherwise every worker imports it again when it starts, and again each time it is replaced
# (max_requests below): about 1.4 s of CPU, spent while the other workers serve alone (docs/performance.md).
# A code change therefore needs a restart (systemctl restart), not a reload.
preload_app = True
# A year's report, a PDF or a large import's checks can take tens of seconds on a small machine.
timeout = 120
graceful_timeout = 30
# A worker is replaced after this many requests, so that memory one large upload took is given back.
max_requests = 1000
max_requests_jitter = 100
# The garbage collector's youngest generation is collected after this many more allocations than frees.
GC_THRESHOLD = 10_000


def pre_fork(server, worker):  # type: ignore[no-untyped-def]
    """The app is loaded before the workers fork (preload_app). Freezing what it allocated keeps the cyclic
    garbage collector from scanning those objects again in every worker (and from writing to their memory,
    which the workers then keep sharing with the master instead of copying it)."""
    gc.freeze()


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """A page allocates tens of thousands of objects; at Python's default (700) a worker collected about
    twice a request, about 3% of its CPU (docs/performance.md). At 10,000, cycles are still freed within a
    request or two, and the older generations keep their rhythm relative to the youngest."""
    gc.set_threshold(GC_THRESHOLD, 10, 10)


# X-Forwarded-Proto and X-Forwarded-For are believed from the local proxy only.
forwarded_allow_ips = "127.0.0.1,::1"

# Both logs go to standard output and error, which systemd keeps in its journal (journalctl -u nextsteps).
accesslog = "-"
errorlog = "-"
# The path without its query string and without the referrer: a search for a person's name travels in the
# query string (?q=…), and must not end up in a log. The client address is the one the proxy received.
access_log_format = '%({x-forwarded-for}i)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class QuietHealthLogger(Logger):
    """Gunicorn's logger without a line for each probe of the health check (every few seconds, all day).
    A failing check is logged by the application itself, once a minute (nextsteps/operations/health.py)."""

    def access(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO") == "/health/":
            return
        super().access(resp, req, environ, request_time)


logger_class = QuietHealthLogger
