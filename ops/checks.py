"""Readiness: each component a request or a task needs, checked in turn.

Each check returns ``None`` when the component is well, else a short
reason that names no setting's value, address or secret (the endpoint
needs no login).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .broker import local_folder, redis_client
from .models import Heartbeat
from .services import BEAT


def database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        connection.close()  # the next request reconnects
        return _reason(exc)
    return None


_MIGRATED = False  # once all are applied, they stay so until new code (a new process)


def migrations() -> str | None:
    global _MIGRATED
    if _MIGRATED:
        return None
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return _reason(exc)
    if pending:
        return f"{len(pending)} migrations not applied"
    _MIGRATED = True
    return None


def broker() -> str | None:
    folder = local_folder()
    if folder is not None:  # the local demo's broker (make run)
        return None if folder.is_dir() else "the broker's folder is missing"
    try:
        with redis_client() as client:
            client.ping()
    except Exception as exc:
        return _reason(exc)
    return None


def beat() -> str | None:
    try:
        last = Heartbeat.objects.filter(name=BEAT).values_list("at", flat=True).first()
    except Exception as exc:
        return _reason(exc)
    if last is None:
        return "no heartbeat yet"
    limit = dt.timedelta(seconds=2 * settings.FTP_BEAT_HEARTBEAT_SECONDS)
    age = timezone.now() - last
    return f"last heartbeat {int(age.total_seconds())} s ago" if age > limit else None


# In order: a later check may need an earlier one's component.
CHECKS: dict[str, Callable[[], str | None]] = {
    "database": database,
    "migrations": migrations,
    "broker": broker,
    "beat": beat,
}


def readiness() -> dict[str, str | None]:
    """Each component's failure (``None``: well). Those that need the
    database are not asked when it is down: they would only repeat it."""
    failures: dict[str, str | None] = {}
    for name, check in CHECKS.items():
        if name in ("migrations", "beat") and failures.get("database"):
            failures[name] = "needs the database"
            continue
        failures[name] = check()
    return failures


def _reason(exc: Exception) -> str:
    """The exception's class and, for a refused connection, that alone."""
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "timeout" in text or "timed out" in text:
        return "timed out"
    return type(exc).__name__
