"""Periodic audit work: thin tasks over ``audit.services``.

Beat sends them outside any trust, so each runs in every chain in turn: the
deployment's, then each trust's (``for_each_chain``); sent inside a trust,
in that trust's chain only."""

from __future__ import annotations

import logging

from celery import shared_task

from .models import DEPLOYMENT
from .services import audit_chain_check, audit_sequence, for_each_chain

logger = logging.getLogger(__name__)


# The app's default limit (300 s) suits actions; a log of tens of millions of
# events takes longer to walk, so this one task gets an hour.
@shared_task(
    name="audit.tasks.verify_audit_chain", acks_late=True, time_limit=3600, soft_time_limit=3500
)
def verify_audit_chain() -> bool:
    """Verify every audit chain against its last anchor and record a new one
    (daily, from beat); HR leads are alerted on a failure. True if every
    chain is intact (the deployment chain may be empty: nothing may happen
    outside a trust).

    Not retried: a failure is a finding, already logged and emailed, and the
    next day's run checks again. Running it twice only records two checks
    (and two anchors).
    """
    reports = for_each_chain(lambda: audit_chain_check(actor=None, anchor=True))
    for chain, report in reports.items():
        logger.info("audit chain check (%s): %s", chain, report)
    return all(
        not report.broken if chain == DEPLOYMENT else report.intact
        for chain, report in reports.items()
    )


@shared_task(name="audit.tasks.sequence_audit_events", ignore_result=True)
def sequence_audit_events() -> int:
    """Chain any audit events still pending (beat, every
    ``FTP_AUDIT_SEQUENCE_SECONDS``); how many were chained.

    The backstop only: each writer's commit runs the sequencer itself. Safe
    to run twice at once (the chain lock is only tried, never waited for).
    Not retried: the next run is due within a minute.
    """
    chained = 0
    for chain, count in for_each_chain(audit_sequence).items():
        if count:
            logger.warning(
                "audit sequencer backstop chained %d left-over events (%s)", count, chain
            )
        chained += count
    return chained
