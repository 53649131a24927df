"""Two people acting on one case at the same moment: one wins, the other is told.

These need committed data and real connections per thread, so they run in
transactional tests on PostgreSQL (SQLite has no row locks to test).
``serialized_rollback`` restores the role groups the migrations made, which
the flush after a transactional test would otherwise take from later tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction

from audit.models import AuditEvent
from core.errors import Conflict, DomainError
from tenancy.context import current_trust_id, trust_entered
from workflow.engine import BUSY, lock_case
from workflow.models import Stage
from workflow.services import case_triage, referral_withdraw

from .steps import PANEL_REASON, Story, fresh

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks"),
]


def in_threads(*actions: Callable[[], Any]) -> list[Any]:
    """Run each action in its own thread and connection, released together.

    Returns what each returned, or the domain error it raised.
    """
    start = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)
    trust = current_trust_id()  # a thread starts in no trust: each acts for the test's

    def run(i: int, action: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            with trust_entered(trust):
                results[i] = action()
        except DomainError as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return results


def user(pk: int) -> Any:
    # Each thread loads its own user through its own connection.
    return get_user_model().objects.get(pk=pk)


def triage(case_id: int, actor_id: int, **kwargs: Any) -> Callable[[], Any]:
    return lambda: case_triage(case_id=case_id, actor=user(actor_id), **kwargs)


def withdraw(case_id: int, actor_id: int) -> Callable[[], Any]:
    return lambda: referral_withdraw(
        case_id=case_id, actor=user(actor_id), reason="Raised in error."
    )


@pytest.mark.parametrize("round_", range(3))
def test_two_triages_at_once_exactly_one_wins(cast: Any, story: Story, round_: int) -> None:
    case = story.submitted()

    results = in_threads(
        triage(case.pk, cast.hr.pk, route="informal"),
        triage(case.pk, cast.hr.pk, route="panel", reason=PANEL_REASON),
    )

    errors = [r for r in results if isinstance(r, DomainError)]
    wins = [r for r in results if not isinstance(r, DomainError)]
    assert len(wins) == 1
    assert len(errors) == 1
    assert type(errors[0]) is Conflict
    case = fresh(case)
    assert case.version == 2
    assert case.stage == wins[0].stage in (Stage.INFORMAL, Stage.PANEL)
    assert AuditEvent.objects.filter(case=case, action="triage").count() == 1


def test_triage_and_withdraw_at_once_exactly_one_wins(cast: Any, story: Story) -> None:
    """When the two overlap, one is refused. On a loaded machine one thread can
    finish before the other starts; then they simply ran in turn (triage, then
    a withdrawal of the informal case), so the race is re-run until it is seen."""
    manager_id = cast.manager.pk
    for _attempt in range(5):
        case = story.submitted()
        results = in_threads(
            triage(case.pk, cast.hr.pk, route="informal"),
            withdraw(case.pk, manager_id),
        )
        assert None not in results, f"an action failed with an unexpected error: {results}"
        case = fresh(case)
        if not any(isinstance(r, Conflict) for r in results):
            assert case.version == 3
            assert case.stage == Stage.CLOSED  # one after the other
            continue
        assert sum(isinstance(r, Conflict) for r in results) == 1
        assert case.version == 2
        assert AuditEvent.objects.filter(case=case, from_stage__gt="").count() == 1
        return
    pytest.fail("The two actions never overlapped in five attempts.")


def test_a_case_someone_holds_is_busy_at_once_not_queued(cast: Any, story: Story) -> None:
    case = story.submitted()
    with transaction.atomic():
        lock_case(case.pk)  # someone else is mid-action on the case
        began = time.monotonic()
        [result] = in_threads(triage(case.pk, cast.hr.pk, route="informal"))
        waited = time.monotonic() - began
    assert isinstance(result, Conflict)
    assert result.message == BUSY
    assert waited < 5  # NOWAIT: refused at once rather than queued behind the lock
    assert fresh(case).version == 1
    assert AuditEvent.objects.filter(case=case).count() == 1

    # Once the lock is released the same action goes through.
    [result] = in_threads(triage(case.pk, cast.hr.pk, route="informal"))
    assert result.stage == Stage.INFORMAL
