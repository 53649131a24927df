"""The periodic timer task really travels through the broker to a worker.

A Celery worker runs in this process (in a thread) against the Redis broker
of ``REDIS_URL``: no eager mode, no mocks. ``CELERY_TASK_IGNORE_RESULT``
stays true for the product; only these tests ask for a result.

Not covered here: a due viewflow timer being fired. The referral flow has no
``Timer`` node yet, and proving it would need a flow added for the test.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import connections

from config.celery import app
from notifications.tasks import fire_due_timers

TASK_NAME = "notifications.tasks.fire_due_timers"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis://"),
        reason="needs the Redis broker (REDIS_URL), as make test runs it",
    ),
]


@pytest.fixture
def worker() -> Iterator[Any]:
    """A real worker consuming the app's default queue, with Redis results.

    Starting a worker runs Celery's Django fixup in this thread, and it closes
    the database connections it finds here (right for a forked child, not for
    a thread). So the test using it is transactional and closes its own
    connection first: there is no open test transaction to break.
    """
    assert not app.conf.task_always_eager
    app.control.purge()  # nothing left over from an earlier run reaches this worker
    connections.close_all()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as w:
        yield w


@pytest.fixture
def runs() -> Iterator[list[dict[str, Any]]]:
    """What the worker saw of each task it ran, recorded by Celery's own signals."""
    seen: list[dict[str, Any]] = []

    def before(task: Any, **kwargs: Any) -> None:
        seen.append(
            {
                "name": task.name,
                "id": task.request.id,
                "eager": task.request.is_eager,
                "routing_key": (task.request.delivery_info or {}).get("routing_key"),
                "thread": threading.current_thread(),
            }
        )

    def after(**kwargs: Any) -> None:
        # The worker thread's database connection must not outlive the test:
        # the test database cannot be dropped while it is open.
        connections.close_all()

    task_prerun.connect(before, weak=False)
    task_postrun.connect(after, weak=False)
    yield seen
    task_prerun.disconnect(before)
    task_postrun.disconnect(after)


# serialized_rollback: the flush after a transactional test would otherwise
# take the role groups (made by a migration) from the tests that follow, and
# the content types from under those that restore a serialized database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fire_due_timers_runs_on_a_real_worker_through_the_broker(
    worker: Any, runs: list[dict[str, Any]]
) -> None:
    result = fire_due_timers.apply_async(ignore_result=False)
    count = result.get(timeout=30)
    assert result.successful()
    assert type(result.backend).__name__ == "RedisBackend"
    assert isinstance(count, int)
    assert count == 0  # no flow has a timer due
    [run] = runs
    assert run["name"] == TASK_NAME
    assert run["eager"] is False
    assert run["id"] == result.id
    assert run["routing_key"] == app.conf.task_default_queue
    assert run["thread"] is not threading.current_thread()


def test_results_are_ignored_unless_a_caller_asks() -> None:
    assert settings.CELERY_TASK_IGNORE_RESULT is True
    assert app.conf.task_ignore_result is True
    assert app.conf.result_backend == settings.REDIS_URL


def test_beat_asks_for_due_timers_every_poll_interval() -> None:
    app.finalize(auto=True)
    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == TASK_NAME]
    assert entry["schedule"] == float(settings.FTP_TIMER_POLL_SECONDS)
    assert TASK_NAME in app.tasks
