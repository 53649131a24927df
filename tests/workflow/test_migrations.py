"""Cases that existed before step spells get theirs from the flow's tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from workflow.models import CaseStep

from ..db_roles import migrate_as_owner
from .steps import Story

BEFORE_STEPS = [("workflow", "0003_terminal_case_evidence")]


def migrate(targets: list[tuple[str, str]]) -> None:
    migrate_as_owner(targets)


# The flow's spells: the formal process's (formal/, stage ``formal``) are
# its own, written after the flow ended, never rebuilt from viewflow's tasks.
def _flow_spells() -> Any:
    return CaseStep.objects.exclude(stage="formal").order_by("case_id", "entered_at", "id")


def snapshot() -> list[tuple[Any, ...]]:
    rows = _flow_spells()
    return [(s.case_id, s.step, s.stage, s.due_on, s.left_at is None) for s in rows]


def moments() -> list[dt.datetime]:
    rows = _flow_spells()
    return [m for s in rows for m in (s.entered_at, s.left_at) if m is not None]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_backfill_rebuilds_the_spells_the_services_wrote(cast: Any, employee: Any) -> None:
    story = Story(cast, employee)
    for where in ("submitted", "resubmitted", "informal", "closed", "formal"):
        story.at(where)
    written, when = snapshot(), moments()
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    migrate(BEFORE_STEPS)
    migrate(leaves)
    assert snapshot() == written
    # The backfill reads viewflow's task times, stamped a few milliseconds
    # away from the service's clock inside the same action.
    rebuilt = moments()
    assert len(rebuilt) == len(when)
    assert all(abs(a - b) < dt.timedelta(seconds=1) for a, b in zip(rebuilt, when, strict=True))
    assert len(written) == 1 + 3 + 2 + 2 + 4
