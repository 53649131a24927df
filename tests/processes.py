"""Real processes the tests start on loopback (the production server, a
private gunicorn, the test identity provider, private PostgreSQL and Redis):
a free port to give them, and stopping one with everything it started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_group(proc: subprocess.Popen[bytes], *, timeout: float = 30) -> None:
    """Stop a process started with ``start_new_session=True`` and every
    process it started: SIGTERM to the group, SIGKILL if it outstays ``timeout``."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
