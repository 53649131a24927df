"""Periodic report work. Thin: the rules live in the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from tenancy.services import for_each_trust

from .early_warning_alerts import early_warning_alerts_record, last_complete_quarter_end
from .early_warning_snapshot import early_warning_nightly_run

logger = logging.getLogger(__name__)


@shared_task(name="reports.tasks.early_warning_quarterly", acks_late=True)
def early_warning_quarterly() -> int:
    """Record each trust's early-warning alerts as at the end of the last
    complete NHS quarter and tell its HR advisers about the new ones. Beat
    runs it on the first days of January, April, July and October; safe to
    run any number of times (alerts are recorded once, HR told once)."""
    quarter_end = last_complete_quarter_end(timezone.localdate())
    runs = for_each_trust(lambda: early_warning_alerts_record(quarter_end=quarter_end))
    new = sum(len(run.new) for run in runs.values())
    logger.info("early warning as at %s: %d new alerts", quarter_end, new)
    return new


@shared_task(name="reports.tasks.early_warning_nightly", acks_late=True)
def early_warning_nightly() -> int:
    """Compute each trust's early warning as at yesterday over 12 and 24
    months and keep it (the page reads it), and prune old snapshots. Beat runs
    it each night; running it again replaces the same snapshots."""
    today = timezone.localdate()
    runs = for_each_trust(lambda: early_warning_nightly_run(today))
    made = sum(len(snapshots) for snapshots in runs.values())
    logger.info("early warning snapshots as at %s: %d", today, made)
    return made
