"""Periodic Freedom to Speak Up work. Thin: the rules live in ``speakup.notices``."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from tenancy.services import for_each_trust

from .notices import concerns_sweep_run

logger = logging.getLogger(__name__)


@shared_task(name="speakup.tasks.concerns_sweep", acks_late=True)
def concerns_sweep() -> int:
    """In each trust: tell the guardians of new concerns, remind them on the
    day an acknowledgement is due and escalate once it is overdue. Safe to
    run as often as beat likes: each notification is recorded once."""
    today = timezone.localdate()
    count = sum(for_each_trust(lambda: concerns_sweep_run(today=today)).values())
    logger.info("concerns sweep: %d concerns awaiting acknowledgement", count)
    return count
