"""The database refuses to change, delete or truncate an audit event, whoever asks.

(Django's ``flush``, between transactional tests such as ``test_migrations``,
still empties the log outside production: ``audit/management/commands/flush.py``.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_orm_update_is_refused(appended: Any) -> None:
    appended(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(reason="tidied up")
    assert AuditEvent.objects.get(seq=1).reason == "event 0"


def test_an_orm_delete_is_refused(appended: Any) -> None:
    appended(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).delete()
    assert AuditEvent.objects.count() == 2


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET reason = 'x'",
        "UPDATE audit_auditevent SET seq = seq + 100",
        "DELETE FROM audit_auditevent",
    ],
)
def test_raw_sql_is_refused(appended: Any, sql: str) -> None:
    appended(2)
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert list(AuditEvent.objects.values_list("seq", "reason")) == [
        (1, "event 0"),
        (2, "event 1"),
    ]


def test_a_second_event_at_the_same_place_cannot_be_stored(appended: Any) -> None:
    first = appended(1)[0]
    fork = AuditEvent(seq=1, prev_hash=first.prev_hash, hash="a" * 64, at=first.at, action="import")
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save(force_insert=True)


@pytest.mark.parametrize(
    "sql",
    ["TRUNCATE audit_auditevent", "TRUNCATE workflow_case CASCADE"],
    ids=["the-log", "a-table-it-references"],
)
def test_a_raw_truncate_is_refused(appended: Any, sql: str) -> None:
    appended(2)
    with pytest.raises(IntegrityError, match="append-only: TRUNCATE refused"):
        _execute_in_savepoint(sql)
    assert AuditEvent.objects.count() == 2


def _execute_in_savepoint(sql: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        # The test's own transaction has deferred foreign-key checks pending,
        # which PostgreSQL would otherwise give as its reason to refuse.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(sql)


def test_flush_is_refused_in_production(appended: Any, settings: Any) -> None:
    settings.PRODUCTION = True
    appended(1)
    with pytest.raises(CommandError, match="refused in production"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_flush_still_empties_the_log_outside_production(appended: Any) -> None:
    appended(2)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    with pytest.raises(IntegrityError, match="TRUNCATE refused"), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")  # the trigger is back for everyone else
