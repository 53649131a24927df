"""Beat's heartbeat: a task beat schedules, so its row shows beat is running
(and a worker takes its tasks)."""

from __future__ import annotations

from celery import shared_task

from .services import heartbeat_record


@shared_task(name="ops.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    heartbeat_record()
