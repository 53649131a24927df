"""Periodic action-plan work. Thin: the rules live in ``assurance.overdue``."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from tenancy.services import for_each_trust

from .overdue import actions_overdue_notify

logger = logging.getLogger(__name__)


@shared_task(name="assurance.tasks.actions_overdue", acks_late=True)
def actions_overdue() -> int:
    """Remind each trust's action owners of their overdue actions. Safe to
    run twice: the day's reminders are recorded once."""
    today = timezone.localdate()
    count = sum(for_each_trust(lambda: actions_overdue_notify(as_of=today)).values())
    logger.info("overdue actions: %d owners reminded", count)
    return count
