"""Real Celery workers in their own processes, for the integration tests.

A worker here is ``celery -A config worker`` started as a subprocess with
the test's environment, pointed at the test database (the test must be
transactional, so its rows are committed where the worker can read them)
and at a Redis broker. Tests can stop it politely or SIGKILL its whole
process group, as when a machine dies.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def wait_for(what: str, check: Callable[[], Any], timeout: float = 40.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker and everything it started: no cleanup, no acks."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Workers:
    """Starts workers sharing one environment; stops them all at the end."""

    def __init__(self, tmp: Path, broker_url: str, **env: str) -> None:
        self.tmp = tmp
        self.env = {
            **os.environ,
            "FTP_ENV": "test",
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": broker_url,
            "DB_CONN_MAX_AGE": "0",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.started: list[Worker] = []

    def start(self, name: str, *options: str) -> Worker:
        """A worker named ``name``, ready; ``options`` go to ``celery worker``
        (``--include=...`` for a test's own tasks)."""
        log = self.tmp / f"{name}.log"
        process = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname={name}@%h",
                *options,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to kill as one
        )
        worker = Worker(name, process, log)
        self.started.append(worker)
        wait_for(f"worker {name} to be ready", lambda: " ready." in worker.output(), 60)
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


MESSAGE_ID = re.compile(r"^Message-ID: (<ftp-delivery-\d+@[^>]+>)$", re.MULTILINE)


def mailbox_message_ids(folder: Path) -> list[str]:
    """The Message-ID of every email the file-based backend wrote, in order."""
    if not folder.exists():
        return []
    return [
        mid for path in sorted(folder.iterdir()) for mid in MESSAGE_ID.findall(path.read_text())
    ]
