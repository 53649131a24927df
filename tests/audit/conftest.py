"""The audit tests reuse the workflow tests' people and story teller, and
add a way to tamper with the log as a database superuser would. Anchors go
to a file of each test's own.

The suite connects as the application role, which row-level security binds
(tests/db_roles.py). To play a superuser inside a test's own transaction,
``tamper`` becomes ``ATTACKER`` for its statements (``SET ROLE``): a
superuser role the application role is made a member of here, for the tests
only. Membership alone gives it nothing (neither the superuser attribute nor
the owner's rights: row-level security still binds it); only ``SET ROLE``
does, and ``tamper`` resets it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from audit.models import AuditEvent
from audit.sequencing import forget_head
from audit.services import audit_record
from tenancy.roles import owner_connection

from ..db_roles import APP_ROLE
from ..workflow.conftest import extras, story

__all__ = [
    "anchor_file",
    "appended",
    "extras",
    "legacy_appended",
    "published_sha256",
    "story",
    "tamper",
]


@pytest.fixture(autouse=True)
def anchor_file(tmp_path: Path, settings: Any) -> Path:
    """Where this test's checks record their anchors (none there yet)."""
    path = tmp_path / "anchors" / "audit-anchors.jsonl"
    settings.FTP_AUDIT_ANCHOR_FILE = str(path)
    settings.FTP_AUDIT_ANCHOR_EMAILS = []
    return path


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


ATTACKER = "ftp_test_attacker"


@pytest.fixture(scope="session")
def attacker_role(django_db_setup: None, django_db_blocker: Any) -> str | None:
    """``ATTACKER``, a superuser role the application role may become (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    with django_db_blocker.unblock(), owner_connection() as owner, owner.cursor() as cursor:
        cursor.execute(
            f"""
            DO $$
            BEGIN
                CREATE ROLE {ATTACKER} NOLOGIN SUPERUSER;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END
            $$
            """
        )
        cursor.execute(f"GRANT {ATTACKER} TO {APP_ROLE}")
    return ATTACKER


@pytest.fixture
def tamper(db: None, attacker_role: str | None) -> Callable[..., None]:
    """Run raw SQL on the log with its triggers off, as a PostgreSQL superuser
    can (``session_replication_role = replica`` skips ordinary triggers).
    A superuser is not bound by row-level security either: statements see
    every trust's events, so a test with two trusts names the trust."""

    def run(*statements: str | tuple[str, list[Any]]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {attacker_role}")
            cursor.execute("SET session_replication_role = replica")
            try:
                for statement in statements:
                    sql, params = statement if isinstance(statement, tuple) else (statement, [])
                    cursor.execute(sql, params)
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.execute("RESET ROLE")
        # The next append reads the head the superuser left, as a new
        # transaction would.
        forget_head()

    return run


def published_sha256(event: AuditEvent, *, prev_hash: str, reason: str | None = None) -> str:
    """The unkeyed (version 1) hash anyone can compute from the README: what
    someone with write access to the database, but not the key, can recompute."""
    content = {
        "v": 1,
        "case": event.case_id,
        "actor": event.actor_id,
        "at": event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "action": event.action,
        "from": event.from_stage,
        "to": event.to_stage,
        "reason": event.reason if reason is None else reason,
        "payload": event.payload,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{canonical}\n{prev_hash}".encode()).hexdigest()


@pytest.fixture
def legacy_appended(tamper: Callable[..., None]) -> Callable[[int], list[AuditEvent]]:
    """Append ``n`` unkeyed version-1 events, as the code before keying wrote
    them (and as migration 0005 chained the first ones)."""

    def append(n: int) -> list[AuditEvent]:
        head = AuditEvent.objects.chained().order_by("-seq").first()
        seq, prev = (head.seq or 0, head.hash) if head else (0, "0" * 64)
        statements: list[str | tuple[str, list[Any]]] = []
        for i in range(n):
            seq += 1
            event = AuditEvent(seq=seq, at=dt.datetime.now(dt.UTC), action="import", payload={})
            event.reason = f"legacy {i}"
            digest = published_sha256(event, prev_hash=prev)
            statements.append(
                (
                    "INSERT INTO audit_auditevent (seq, prev_hash, hash, key_id, at, action,"
                    " from_stage, to_stage, reason, payload) VALUES"
                    " (%s, %s, %s, NULL, %s, 'import', '', '', %s, '{}')",
                    [seq, prev, digest, event.at, event.reason],
                )
            )
            prev = digest
        tamper(*statements)
        return list(AuditEvent.objects.filter(seq__gt=seq - n).order_by("seq"))

    return append
