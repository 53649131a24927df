"""gunicorn's settings for the production server (``make serve``, ``bin/serve``).

Read from the environment through ``config.env``, like every other setting.

* ``FTP_WEB_BIND`` (``127.0.0.1:8000``): where to listen. Put a TLS-terminating
  proxy (the trust's load balancer, nginx) in front; it must send
  ``X-Forwarded-Proto`` and the settings must name it
  (``SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto``).
* ``FTP_WEB_WORKERS`` (2 x cores + 1): worker processes. Each holds one
  database connection and about 100 to 150 MB; size them to the database's
  connection limit and the machine's memory.
* ``FTP_WEB_THREADS`` (1): threads per worker. Sync workers with one thread
  each keep one request per process, the simplest model for Django.
* ``FTP_WEB_TIMEOUT`` (30 s): a request that runs longer has its worker
  killed and restarted; the pages are bounded well below it.
* ``FTP_WEB_MAX_REQUESTS`` (1000): each worker is replaced after this many
  requests (with jitter), so slow leaks cannot grow without bound.
* ``PROMETHEUS_MULTIPROC_DIR`` (unset): a folder, writable by gunicorn, where
  each worker keeps its request counters so that ``/metrics`` reports all
  workers, not the one that answered (ops/metrics.py). Emptied when gunicorn
  starts; a dead worker's live gauges are dropped.

No access log: the app writes one structured line per request itself
(ops/middleware.py), naming the URL pattern where gunicorn's line would give
the path and query string, which may carry what a person typed.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess

from config.env import env_int, env_str

wsgi_app = "config.wsgi:application"
bind = env_str("FTP_WEB_BIND", "127.0.0.1:8000")
workers = env_int("FTP_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1, minimum=1)
threads = env_int("FTP_WEB_THREADS", 1, minimum=1)
timeout = env_int("FTP_WEB_TIMEOUT", 30, minimum=1)
graceful_timeout = env_int("FTP_WEB_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = 5
max_requests = env_int("FTP_WEB_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# The proxy in front is trusted to say the original scheme and client address.
forwarded_allow_ips = env_str("FTP_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"

_METRICS_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server: Any) -> None:
    """Counters left by a previous run would be added to this one's."""
    if _METRICS_DIR:
        folder = Path(_METRICS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    if _METRICS_DIR:
        multiprocess.mark_process_dead(worker.pid, _METRICS_DIR)
