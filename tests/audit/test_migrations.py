"""The access log folds into the chained audit log, and back again."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEvent, EventType
from audit.services import personal_data_access_record
from audit.verify import verify_log

BEFORE = [("audit", "0003_personal_data_access")]


def migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_showings_become_chained_events_and_can_go_back(story: Any) -> None:
    case = story.submitted()
    personal_data_access_record(user=story.cast.hr, case=case, field="employee_ethnic_category")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    try:
        old = migrate(BEFORE)
        Access = old.get_model("audit", "PersonalDataAccess")
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
    assert report.intact and report.events == 3
