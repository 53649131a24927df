"""``/metrics`` under gunicorn with several worker processes: every scrape
reports the requests of every worker, those since replaced included
(``PROMETHEUS_MULTIPROC_DIR``, config/gunicorn.py). Served for real, on
loopback."""

from __future__ import annotations

import http.client
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from tests.processes import free_port, stop_group

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Each worker is replaced after this many requests (no jitter below ten), so
# the requests are spread over many processes, most of them gone by the scrape.
MAX_REQUESTS = 4


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """gunicorn with two workers and the multiprocess folder, until the test ends."""
    port, folder = free_port(), tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"left by a previous run")
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FTP_")},
        "FTP_ENV": "test",
        "FTP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "FTP_WEB_BIND": f"127.0.0.1:{port}",
        "FTP_WEB_WORKERS": "2",
        "FTP_WEB_MAX_REQUESTS": str(MAX_REQUESTS),
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(  # noqa: S603 (the project's own server and settings)
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "config/gunicorn.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield {"port": port, "proc": proc, "folder": folder, "log": tmp_path / "gunicorn.log"}
    finally:
        stop_group(proc)
        log.close()


def _served_count(port: int) -> float:
    status, body = _get(port, "/metrics")
    assert status == 200, body[:300]
    return sum(
        s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
        if s.name == "django_http_responses_total_by_status_view_method_total"
        and s.labels == {"status": "200", "view": "health-live", "method": "GET"}
    )


def test_every_scrape_counts_every_workers_requests(gunicorn: dict[str, Any]) -> None:
    port, served = gunicorn["port"], 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the first answer is the first counted request
        try:
            served += _get(port, "/health/live")[0] == 200
            break
        except OSError:
            time.sleep(0.3)
    assert served, gunicorn["log"].read_text()
    assert not (gunicorn["folder"] / "counter_1.db").exists()  # emptied at start

    for _ in range(6 * MAX_REQUESTS):
        served += _get(port, "/health/live")[0] == 200

    # Several scrapes, each answered by whichever worker is free, and each
    # answering worker is itself replaced after a few: all see every request.
    assert [_served_count(port) for _ in range(5)] == [served] * 5
    processes = {f.name.split("_")[1] for f in gunicorn["folder"].glob("counter_*.db")}
    assert len(processes) > 2  # the counts outlived the processes that served them
