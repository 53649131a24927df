"""Django's ``flush``, able to empty the append-only audit log in test and local runs.

On PostgreSQL the log refuses TRUNCATE (migration 0008), and ``flush``
truncates every table: between transactional tests, for instance. Outside
production this command runs Django's with each TRUNCATE made under
``session_replication_role = replica`` for that transaction only, which
skips ordinary triggers and which only a database superuser may set. In
production it refuses: flushing would erase the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import DatabaseError

from tenancy.roles import owner_connection


class Command(flush.Command):
    help = flush.Command.help + " Refused in production (the audit log is append-only)."

    def handle(self, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "flush would erase the append-only audit log: refused in production."
            )
        # As the tables' owner: the application's role may not truncate (tenancy/roles.py).
        with owner_connection(options["database"]) as connection:
            if connection.vendor != "postgresql":
                return super().handle(**options)
            return self._flush(connection, **options)

    def _flush(self, connection: Any, **options: Any) -> None:
        try:
            with connection.execute_wrapper(_truncate_around_triggers):
                return super().handle(**options)
        except CommandError as exc:
            if isinstance(exc.__cause__, _NotSuperuser):
                raise CommandError(str(exc.__cause__)) from exc
            raise


class _NotSuperuser(Exception):
    pass


def _truncate_around_triggers(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    if not sql.lstrip().upper().startswith("TRUNCATE"):
        return execute(sql, params, many, context)
    cursor = context["cursor"]
    try:
        # SET LOCAL: for flush's own transaction only, never the session.
        cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError as exc:
        raise _NotSuperuser(
            "flush empties the append-only audit log, which only a database superuser may do."
        ) from exc
    return execute(sql, params, many, context)
