"""Periodic audit work: thin tasks over ``audit.services``."""

from __future__ import annotations

import logging

from celery import shared_task

from .services import audit_chain_check, audit_sequence

logger = logging.getLogger(__name__)


# The app's default limit (300 s) suits actions; a log of tens of millions of
# events takes longer to walk, so this one task gets an hour.
@shared_task(
    name="audit.tasks.verify_audit_chain", acks_late=True, time_limit=3600, soft_time_limit=3500
)
def verify_audit_chain() -> bool:
    """Verify the audit chain against the last anchor and record a new one
    (daily, from beat); HR leads are alerted on failure. True if intact.

    Not retried: a failure is a finding, already logged and emailed, and the
    next day's run checks again. Running it twice only records two checks
    (and two anchors).
    """
    report = audit_chain_check(actor=None, anchor=True)
    logger.info("audit chain check: %s", report)
    return report.intact


@shared_task(name="audit.tasks.sequence_audit_events", ignore_result=True)
def sequence_audit_events() -> int:
    """Chain any audit events still pending (beat, every
    ``FTP_AUDIT_SEQUENCE_SECONDS``); how many were chained.

    The backstop only: each writer's commit runs the sequencer itself. Safe
    to run twice at once (the chain lock is only tried, never waited for).
    Not retried: the next run is due within a minute.
    """
    chained = audit_sequence()
    if chained:
        logger.warning("audit sequencer backstop chained %d left-over events", chained)
    return chained
