"""Reads about the log itself (the explorer's reads of cases' events are
``workflow.audit_selectors``)."""

from __future__ import annotations

import datetime as dt

from .chains import for_each_chain
from .models import AuditEvent, EventType


def chain_last_verified_at() -> dt.datetime | None:
    """When a check last found the current chain intact (the daily task, or
    ``verify_audit``), or None if none ever has. Outside any trust: the
    deployment chain's.

    Read from the checks' own events, not the anchors file: every check
    records one, intact or not, in the database every process reads, while
    the anchors file is on whichever machine ran the check, written only
    when asked to anchor. Newest first along ``audit_action_at``, so only
    the checks since the last intact one are read.
    """
    checks = AuditEvent.objects.filter(action=EventType.VERIFY, payload__intact=True)
    return checks.order_by("-at", "-id").values_list("at", flat=True).first()


def chains_last_verified_at() -> dict[str, dt.datetime | None]:
    """``chain_last_verified_at`` of every chain by its label (the
    deployment's, then each trust's; only the current trust's inside one).
    For a metric that alerts when any trust's chain has gone unverified."""
    return for_each_chain(chain_last_verified_at)
