"""The database refuses to change or delete an audit event, whoever asks."""

from __future__ import annotations

from typing import Any

import pytest
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
