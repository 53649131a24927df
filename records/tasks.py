"""Periodic records management work. Thin: the rules live in the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from .retention_review import retention_review_notify

logger = logging.getLogger(__name__)


@shared_task(name="records.tasks.retention_review", acks_late=True)
def retention_review() -> int:
    """Tell HR advisers which case files fell due for destruction this week.
    Safe to run twice: the day's notifications are recorded once."""
    count = retention_review_notify(as_of=timezone.localdate())
    logger.info("retention review: %d case files newly due", count)
    return count
