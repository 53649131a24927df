"""Periodic records management work. Thin: the rules live in the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from tenancy.services import for_each_trust

from .retention_review import retention_review_notify

logger = logging.getLogger(__name__)


@shared_task(name="records.tasks.retention_review", acks_late=True)
def retention_review() -> int:
    """Tell each trust's HR advisers which case files fell due for destruction this week.
    Safe to run twice: the day's notifications are recorded once."""
    today = timezone.localdate()
    count = sum(for_each_trust(lambda: retention_review_notify(as_of=today)).values())
    logger.info("retention review: %d case files newly due", count)
    return count
