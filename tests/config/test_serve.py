"""``make serve`` (``bin/serve``) runs the product as a trust would: gunicorn in
production mode, with a Celery worker and beat, static files served by the
application server under hashed names. Started for real, on loopback."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import free_port, stop_group

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _get(port: int, path: str, *, https: bool = True) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": "127.0.0.1"}
    if https:  # as the TLS-terminating proxy in front says it
        headers["X-Forwarded-Proto"] = "https"
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """``bin/serve`` on the test database and this part's Redis, until the test ends."""
    port = free_port()
    db = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FTP_")},
        "FTP_ENV": "production",
        "FTP_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "s" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "FTP_AUDIT_KEY": "a" * 64,
        "FTP_AUDIT_ANCHOR_FILE": str(tmp_path / "anchors.jsonl"),
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "FTP_WEB_BIND": f"127.0.0.1:{port}",
        "FTP_WEB_WORKERS": "2",
        "FTP_WORKER_CONCURRENCY": "1",
    }
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(  # noqa: S603 (the project's own script)
        [str(ROOT / "bin" / "serve")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                _get(port, "/accounts/login/")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(
                "bin/serve did not answer in 90 s:\n" + (tmp_path / "serve.log").read_text()
            )
        yield {"port": port, "proc": proc, "static": tmp_path / "static", "log": tmp_path}
    finally:
        stop_group(proc)
        log.close()


def test_the_production_server_serves_pages_in_production_mode(served: dict[str, Any]) -> None:
    port = served["port"]
    page = _get(port, "/accounts/login/")
    assert page.status == 200
    assert "Content-Security-Policy" in page.headers
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    # Plain HTTP is sent to HTTPS: production settings, not the local ones.
    plain = _get(port, "/accounts/login/", https=False)
    assert plain.status == 301
    assert plain.headers["Location"] == "https://127.0.0.1/accounts/login/"
    # The worker and beat run beside it.
    log = served["log"] / "serve.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        " ready." in log.read_text() and "beat: Starting" in log.read_text()
    ):
        time.sleep(0.5)
    text = log.read_text()
    assert "worker@" in text
    assert " ready." in text
    assert "beat: Starting" in text


def test_static_files_are_served_by_the_app_under_hashed_names(served: dict[str, Any]) -> None:
    port = served["port"]
    manifest = json.loads((served["static"] / "staticfiles.json").read_text())["paths"]
    hashed = manifest["workflow/js/error_summary.js"]
    assert hashed != "workflow/js/error_summary.js"
    response = _get(port, f"/static/{hashed}")
    assert response.status == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=315360000" in response.headers["Cache-Control"]


def test_stopping_the_server_stops_the_worker_and_beat_too(served: dict[str, Any]) -> None:
    proc: subprocess.Popen[bytes] = served["proc"]
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    time.sleep(1)
    survivors = subprocess.run(  # noqa: S603 (a fixed command line)
        ["/usr/bin/pgrep", "-s", str(proc.pid)], capture_output=True, text=True, check=False
    )
    assert survivors.stdout.strip() == "", survivors.stdout
