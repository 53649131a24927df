"""The access log folds into the chained audit log, and back again; keying
the chain keeps every event written before it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEvent, EventType
from audit.services import audit_record, personal_data_access_record
from audit.verify import verify_log

from ..db_roles import migrate_as_owner
from .conftest import published_sha256

BEFORE = [("audit", "0003_personal_data_access")]


def migrate(targets: list[tuple[str, str]]) -> Any:
    return migrate_as_owner(targets)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_showings_become_chained_events_and_can_go_back(story: Any) -> None:
    case = story.submitted()
    personal_data_access_record(user=story.cast.hr, case=case, field="employee_ethnic_category")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    try:
        old = migrate(BEFORE)
        Access = old.get_model("audit", "PersonalDataAccess")
        # The table made again is granted to the application role, as migrate grants.
        assert Access.objects.count() == 1  # moved back into its own table
        Access.objects.create(
            user_id=story.cast.director.pk,
            case_id=case.pk,
            at=timezone.now(),
            field="employee_ethnic_category",
            channel="admin",
        )
    finally:
        migrate(latest)

    views = AuditEvent.objects.filter(action=EventType.VIEW_SPECIAL_CATEGORY).order_by("seq")
    assert [(e.actor_id, e.case_id, e.payload["channel"]) for e in views] == [
        (story.cast.hr.pk, case.pk, "web"),
        (story.cast.director.pk, case.pk, "admin"),
    ]
    report = verify_log()
    assert report.intact
    assert report.events == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_keying_keeps_every_event_and_those_written_before_it_still_verify(
    tamper: Any,
) -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    try:
        migrate([("audit", "0006_append_only")])
        prev = "0" * 64
        for seq in (1, 2, 3):  # as the unkeyed code wrote them, before 0007
            event = AuditEvent(seq=seq, at=timezone.now(), action="import", reason=f"old {seq}")
            digest = published_sha256(event, prev_hash=prev)
            tamper(
                (
                    "INSERT INTO audit_auditevent (seq, prev_hash, hash, at, action,"
                    " from_stage, to_stage, reason, payload)"
                    " VALUES (%s, %s, %s, %s, 'import', '', '', %s, '{}')",
                    [seq, prev, digest, event.at, event.reason],
                )
            )
            prev = digest
    finally:
        migrate(latest)

    assert list(AuditEvent.objects.values_list("seq", "key_id", "hash")) == [
        (1, None, AuditEvent.objects.get(seq=1).hash),
        (2, None, AuditEvent.objects.get(seq=2).hash),
        (3, None, prev),
    ]
    audit_record(case=None, actor=None, action="import", reason="keyed")
    report = verify_log()
    assert report.intact
    assert report.events == 4
    assert AuditEvent.objects.get(seq=4).key_id == settings.FTP_AUDIT_KEYRING.current_id
