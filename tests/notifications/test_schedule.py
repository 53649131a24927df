"""Beat asks for the outbox, the deadlines and the digest, from the one schedule."""

from __future__ import annotations

from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings

from config.celery import app


def _entry(task: str) -> dict[str, Any]:
    app.finalize(auto=True)
    entry: dict[str, Any]
    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == task]
    assert task in app.tasks
    return entry


def test_beat_sweeps_the_outbox_every_minute() -> None:
    entry = _entry("notifications.tasks.sweep_outbox")
    assert entry["schedule"] == float(settings.FTP_OUTBOX_SWEEP_SECONDS) == 60.0


def test_beat_sweeps_the_deadlines_every_five_minutes() -> None:
    entry = _entry("notifications.tasks.sweep_deadlines")
    assert entry["schedule"] == float(settings.FTP_DEADLINE_SWEEP_SECONDS) == 300.0


def test_beat_builds_the_digests_once_a_day_at_the_digest_hour() -> None:
    entry = _entry("notifications.tasks.build_digests")
    assert entry["schedule"] == crontab(hour=settings.FTP_DIGEST_HOUR, minute=0)


@pytest.mark.parametrize(
    "name", ["notifications.tasks.send_delivery", "notifications.tasks.send_deliveries"]
)
def test_send_tasks_are_acknowledged_late_and_requeued_if_their_worker_dies(name: str) -> None:
    task = app.tasks[name]
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True


def test_viewflow_timers_are_still_fired() -> None:
    _entry("notifications.tasks.fire_due_timers")
