"""Reads about the log itself (the explorer's reads of cases' events are
``workflow.audit_selectors``)."""

from __future__ import annotations

import datetime as dt

from .models import AuditEvent, EventType


def chain_last_verified_at() -> dt.datetime | None:
    """When a check last found the chain intact (the daily task, or
    ``verify_audit``), or None if none ever has.

    Read from the checks' own events, not the anchors file: every check
    records one, intact or not, in the database every process reads, while
    the anchors file is on whichever machine ran the check, written only
    when asked to anchor. Newest first along ``audit_action_at``, so only
    the checks since the last intact one are read.
    """
    checks = AuditEvent.objects.filter(action=EventType.VERIFY, payload__intact=True)
    return checks.order_by("-at", "-id").values_list("at", flat=True).first()
