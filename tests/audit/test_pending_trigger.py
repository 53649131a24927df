"""The append-only triggers allow one UPDATE: a pending event chained (its
seq, link, hash and key set, once), nothing else changed (migration 0009).

Checked on PostgreSQL (the test database) and on SQLite (the same trigger
SQL the migration runs, on a table of the same columns in memory).
"""

from __future__ import annotations

import importlib
import sqlite3
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent

migration = importlib.import_module("audit.migrations.0009_pending_events")

CHAIN = "seq = 7, prev_hash = '{p}', hash = '{h}', key_id = 'k1'".format(p="p" * 64, h="h" * 64)
# Each SET refused on a pending event: the chaining plus one other change, or
# a chaining that is not one.
REFUSED = {
    "reason": f"{CHAIN}, reason = 'rewritten'",
    "action": f"{CHAIN}, action = 'export'",
    "from_stage": f"{CHAIN}, from_stage = 'panel'",
    "to_stage": f"{CHAIN}, to_stage = 'closed'",
    "payload": f"""{CHAIN}, payload = '{{"a": 1}}'""",
    "actor": f"{CHAIN}, actor_id = 424242",
    "case": f"{CHAIN}, case_id = 424242",
    "id": f"{CHAIN}, id = id + 1000",
    "at only": "at = '2001-01-01 00:00:00+00'",
    "seal only": "hash = 'x'",
    "no seq": "prev_hash = 'p', hash = 'h', key_id = 'k1'",
    "no key": "seq = 7, prev_hash = 'p', hash = 'h', key_id = NULL",
}


def _pending() -> AuditEvent:
    return AuditEvent.objects.create(
        seq=None,
        prev_hash="",
        hash="s" * 64,
        key_id="k0",
        at=timezone.now(),
        action="import",
        reason="r",
    )


@pytest.mark.django_db
def test_postgresql_lets_a_pending_event_be_chained_once() -> None:
    event = _pending()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET {CHAIN} WHERE id = %s", [event.pk])  # noqa: S608 - fixed test SQL
    event.refresh_from_db()
    assert (event.seq, event.key_id, event.reason) == (7, "k1", "r")
    with (
        pytest.raises(IntegrityError, match="append-only: UPDATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET seq = NULL WHERE id = %s", [event.pk])


@pytest.mark.django_db
@pytest.mark.parametrize("change", REFUSED.values(), ids=REFUSED.keys())
def test_postgresql_refuses_any_other_update_of_a_pending_event(change: str) -> None:
    event = _pending()
    with (
        pytest.raises(IntegrityError, match="append-only: UPDATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE audit_auditevent SET {change} WHERE id = %s", [event.pk])  # noqa: S608 - fixed test SQL
    assert AuditEvent.objects.get(pk=event.pk).seq is None


@pytest.mark.django_db
def test_postgresql_refuses_deleting_a_pending_event() -> None:
    event = _pending()
    with pytest.raises(IntegrityError, match="append-only: DELETE refused"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.fixture
def sqlite_log() -> Any:
    """An in-memory SQLite table of the log's columns, with 0009's triggers."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE audit_auditevent (id integer PRIMARY KEY, seq bigint UNIQUE NULL,"
        " prev_hash varchar(64), hash varchar(64), key_id varchar(32) NULL, case_id integer NULL,"
        " actor_id integer NULL, at datetime, action varchar(48), from_stage varchar(16),"
        " to_stage varchar(16), reason text, payload text)"
    )
    for sql in migration.SQLITE_FORWARD:
        db.execute(sql)
    db.execute(
        "INSERT INTO audit_auditevent VALUES (1, NULL, '', 'sss', 'k0', NULL, NULL,"
        " '2026-11-30 10:00:00', 'import', '', '', 'r', '{}')"
    )
    yield db
    db.close()


def test_sqlite_lets_a_pending_event_be_chained_once(sqlite_log: Any) -> None:
    sqlite_log.execute(f"UPDATE audit_auditevent SET {CHAIN} WHERE id = 1")  # noqa: S608 - fixed test SQL
    assert sqlite_log.execute("SELECT seq, key_id FROM audit_auditevent").fetchone() == (7, "k1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        sqlite_log.execute("UPDATE audit_auditevent SET seq = 8, key_id = 'k2' WHERE id = 1")


@pytest.mark.parametrize("change", REFUSED.values(), ids=REFUSED.keys())
def test_sqlite_refuses_any_other_update_of_a_pending_event(sqlite_log: Any, change: str) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        sqlite_log.execute(f"UPDATE audit_auditevent SET {change} WHERE id = 1")  # noqa: S608 - fixed test SQL
    assert sqlite_log.execute("SELECT seq FROM audit_auditevent").fetchone() == (None,)


def test_sqlite_refuses_deleting_a_pending_event(sqlite_log: Any) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        sqlite_log.execute("DELETE FROM audit_auditevent WHERE id = 1")
