"""The audit tests reuse the workflow tests' people and story teller, and
add a way to tamper with the log as a database superuser would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from audit.models import AuditEvent
from audit.services import audit_record

from ..workflow.conftest import _fast_passwords, extras, story

__all__ = ["_fast_passwords", "appended", "extras", "story", "tamper"]


@pytest.fixture
def appended(db: None) -> Callable[[int], list[AuditEvent]]:
    """Append ``n`` events about no case, as an import or export would."""

    def append(n: int) -> list[AuditEvent]:
        return [
            audit_record(
                case=None, actor=None, action="import", reason=f"event {i}", payload={"i": i}
            )
            for i in range(n)
        ]

    return append


@pytest.fixture
def tamper(db: None) -> Callable[..., None]:
    """Run raw SQL on the log with its triggers off, as a PostgreSQL superuser
    can (``session_replication_role = replica`` skips ordinary triggers)."""

    def run(*statements: str | tuple[str, list[Any]]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            try:
                for statement in statements:
                    sql, params = statement if isinstance(statement, tuple) else (statement, [])
                    cursor.execute(sql, params)
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")

    return run
