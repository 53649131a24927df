"""``/health/ready`` on a served app whose PostgreSQL and Redis are stopped and
started again: private instances on their own ports, never the shared ones.

The app runs in its own process (``manage.py runserver``) against a private
PostgreSQL cluster (``initdb`` in a temporary folder) and a private
``redis-server``, as a web process at a trust runs against its services.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
INITDB = shutil.which("initdb")
PG_CTL = shutil.which("pg_ctl")
REDIS_SERVER = shutil.which("redis-server")

pytestmark = pytest.mark.services


def _wait(what: str, ready: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class PrivatePostgres:
    """A cluster of its own in a temporary folder. PostgreSQL's server
    refuses to run as root: then it runs as the ``postgres`` account, in a
    folder of its own directly under the system's temporary folder (pytest's
    are closed to other accounts)."""

    def __init__(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="ftp-private-pg-"))
        self.folder, self.data, self.port = folder, folder / "pg", free_port()
        assert INITDB, "initdb is needed (PostgreSQL's server package)"
        assert PG_CTL, "pg_ctl is needed (PostgreSQL's server package)"
        self.data.mkdir()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            for path in (folder, self.data):
                os.chown(path, account.pw_uid, account.pw_gid)
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.initdb, self.pg_ctl = INITDB, PG_CTL
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
        log = str(self.data / "log")
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-w", "-l", log, "start")

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, *command: str, check: bool = True) -> None:
        subprocess.run(  # noqa: S603 - fixed arguments
            [*self.as_owner, *command], check=check, capture_output=True
        )


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert REDIS_SERVER, "redis-server is needed"
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [REDIS_SERVER, "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        _wait("the private redis", lambda: _listening(self.port), 10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A private PostgreSQL and Redis, migrated, and the app served on them."""
    postgres, redis = PrivatePostgres(), PrivateRedis()
    server: subprocess.Popen[bytes] | None = None
    try:
        postgres.start()
        redis.start()
        port = free_port()
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("FTP_", "DATABASE", "REDIS"))
            },
            "FTP_ENV": "test",
            "FTP_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{postgres.port}/postgres",
            "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
            "REDIS_CACHE_URL": f"redis://127.0.0.1:{redis.port}/1",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)  # noqa: S603
        # What beat does every FTP_BEAT_HEARTBEAT_SECONDS.
        beat = "from ops.tasks import beat_heartbeat; beat_heartbeat()"
        subprocess.run([*manage, "shell", "-c", beat], env=env, check=True, cwd=ROOT)  # noqa: S603
        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait("the app", lambda: _listening(port), 30)
        yield {"port": port, "postgres": postgres, "redis": redis}
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        redis.stop()
        postgres.remove()


def _ready(port: int) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_ready_names_the_stopped_component_and_recovers(stack: dict[str, Any]) -> None:
    port, postgres, redis = stack["port"], stack["postgres"], stack["redis"]
    assert _ready(port) == (200, {"status": "ready", "checks": _all_ok()})

    postgres.stop()
    status, body = _ready(port)
    assert status == 503
    assert body["checks"]["database"] == "connection refused"
    assert body["checks"]["broker"] == "ok"

    postgres.start()
    assert _ready(port)[0] == 200

    redis.stop()
    status, body = _ready(port)
    assert status == 503
    assert body["checks"]["broker"] == "connection refused"
    assert body["checks"]["database"] == "ok"

    redis.start()
    assert _ready(port) == (200, {"status": "ready", "checks": _all_ok()})


def _all_ok() -> dict[str, str]:
    return {"database": "ok", "migrations": "ok", "broker": "ok", "beat": "ok"}
