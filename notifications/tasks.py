"""Periodic work. Tasks stay thin: they call a function and report counts."""

from __future__ import annotations

import logging

from celery import shared_task
from viewflow.workflow import timers

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.fire_due_timers", acks_late=True)
def fire_due_timers() -> int:
    """Fire every viewflow timer and condition that is due.

    viewflow fires timers only when asked (viewflow.md); beat asks here every
    FTP_TIMER_POLL_SECONDS. Each timer is claimed under the flow lock, so two
    overlapping runs cannot fire the same timer twice.
    """
    count = timers.fire_due_timers() + timers.fire_due_conditions()
    logger.info("fired %d due workflow timers", count)
    return int(count)
