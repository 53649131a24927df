"""Two deadline sweeps at once, each in its own thread and connection: every
due notice is fired by exactly one of them, once, and neither waits for the
other or locks a case against the people acting on it.

Each sweep needs the other's committed rows: transactional tests on
PostgreSQL. ``serialized_rollback`` restores the role groups the migrations
made, which the flush after a transactional test would otherwise take from
later tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from notifications.models import ScheduledNotice
from notifications.services import deadline_notices_fire, deadline_sweep
from tenancy.context import current_trust_id, trust_entered
from workflow.models import Case

from ..workflow.steps import Story
from .outbox import told_steps

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks"),
]

CASES = 10  # three notices each: a reminder and two escalations
WAIT = 20.0


def due_notices(story: Story) -> list[int]:
    """Ten submitted cases, every notice of theirs due today; the cases' ids."""
    cases = [story.submitted().pk for _ in range(CASES)]
    ScheduledNotice.objects.update(fire_on=timezone.localdate())
    return cases


def in_threads(*jobs: Callable[[], Any]) -> list[Any]:
    """Run each job in its own thread (so its own connection); their results."""
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []
    trust = current_trust_id()  # a thread starts in no trust: each acts for the test's

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            with trust_entered(trust):
                results[i] = job()
        except BaseException as exc:  # re-raised in the test's thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=2 * WAIT)
    assert not any(t.is_alive() for t in threads)
    if errors:
        raise errors[0]
    return results


def assert_each_notice_fired_once() -> None:
    assert not ScheduledNotice.objects.exists()
    told = told_steps()
    # HR's reminder and due-date escalation, the director's later one.
    assert len(told) == 3 * CASES
    assert set(told.values()) == {1}


@pytest.mark.parametrize("round_", range(3))
def test_two_sweeps_started_together_fire_each_notice_once(
    story: Story, people: Any, round_: int
) -> None:
    due_notices(story)
    start = threading.Barrier(2)

    def sweep() -> int:
        start.wait(timeout=WAIT)
        return deadline_sweep(batch=4)

    claimed = in_threads(sweep, sweep)

    assert sum(claimed) == 3 * CASES
    assert_each_notice_fired_once()


def test_a_sweep_skips_the_batch_another_holds_and_locks_no_case(story: Story, people: Any) -> None:
    cases = due_notices(story)
    claimed, released = threading.Event(), threading.Event()

    def slow_sweep() -> int:
        # A batch whose transaction stays open until the other sweep is done.
        with transaction.atomic():
            fired = deadline_notices_fire(batch=12)
            claimed.set()
            assert released.wait(timeout=WAIT)
        return fired

    def other_sweep() -> tuple[int, int]:
        assert claimed.wait(timeout=WAIT)
        try:
            fired = deadline_sweep()
            # The people acting on a case lock it NOWAIT: the open batch
            # must not hold any case whose notices it claimed.
            with transaction.atomic():
                locked = Case.objects.select_for_update(nowait=True).filter(pk__in=cases)
                return fired, len(locked)
        finally:
            released.set()

    slow, (other, locked) = in_threads(slow_sweep, other_sweep)

    assert (slow, other, locked) == (12, 3 * CASES - 12, CASES)
    assert_each_notice_fired_once()
