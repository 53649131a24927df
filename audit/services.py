"""Writes to the audit log. Every append goes through ``audit_record``.

Appends are serialised so the chain never forks: two writers reading the
same last event would both link to it. On PostgreSQL a transaction-level
advisory lock is taken before the last event is read and held until the
caller's transaction ends; SQLite allows one writer at a time anyway. The
unique ``seq`` is the backstop: a fork could not be stored.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .alerts import chain_broken_alert
from .chain import GENESIS, event_hash, normalise_payload
from .models import AuditEvent, EventType
from .verify import Report, verify_log

# pg_advisory_xact_lock key for "append to the audit chain" (b"ftpaudit").
CHAIN_LOCK_KEY = 0x6674706175646974


def audit_record(
    *,
    case: Any,
    actor: Any,
    action: str,
    from_stage: str = "",
    to_stage: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the log. Call inside the action's transaction, so an
    action that rolls back leaves no event (and releases the chain lock).

    ``case`` is None for events about no one case (imports, exports, checks).
    """
    action = str(action)  # an enum member hashes and stores as its value
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _lock_chain_head()
        event = AuditEvent(
            seq=seq,
            prev_hash=prev_hash,
            case=case,
            actor=actor,
            at=timezone.now(),
            action=action,
            from_stage=from_stage,
            to_stage=to_stage,
            reason=reason,
            payload=normalise_payload(payload),
        )
        event.hash = event_hash(
            prev_hash=prev_hash,
            case_id=event.case_id,
            actor_id=event.actor_id,
            at=event.at,
            action=action,
            from_stage=from_stage,
            to_stage=to_stage,
            reason=reason,
            payload=event.payload,
        )
        event.save(force_insert=True)
    return event


def _lock_chain_head() -> tuple[int, str]:
    """The next ``seq`` and the hash to link to, with the chain locked for us."""
    if connection.vendor == "postgresql":
        # Before the read: under READ COMMITTED the next statement then sees
        # every append committed by whoever held the lock before us.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return (head[0] + 1, head[1]) if head else (1, GENESIS)


def personal_data_access_record(*, user: Any, case: Any, field: str, channel: str = "web") -> None:
    """Record that ``user`` was shown ``field`` of ``case``'s employee.

    UK GDPR: special-category data (ethnicity) is shown only to roles that
    need it and every showing is logged here, never in application logs.
    The payload names the field, not its value.
    """
    audit_record(
        case=case,
        actor=user,
        action=EventType.VIEW_SPECIAL_CATEGORY,
        payload={"field": field, "channel": channel},
    )


def audit_export_record(
    *, actor: Any, fmt: str, filters: dict[str, str], rows: int, through_seq: int
) -> AuditEvent:
    """Record that ``actor`` exported ``rows`` events matching ``filters``
    (every event up to ``through_seq``: the log only grows, so the export's
    content is fixed by these)."""
    return audit_record(
        case=None,
        actor=actor,
        action=EventType.EXPORT,
        payload={"format": fmt, "filters": filters, "rows": rows, "through_seq": through_seq},
    )


def audit_chain_check() -> Report:
    """Verify the chain, record the run in the log, and alert HR leads if it
    is broken. The daily Celery task calls this."""
    report = verify_log()
    audit_record(
        case=None,
        actor=None,
        action=EventType.VERIFY,
        reason=str(report),
        payload=_report_payload(report),
    )
    if not report.intact:
        chain_broken_alert(report)
    return report


def _report_payload(report: Report) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "intact": report.intact,
        "events": report.events,
        "head_seq": report.head.seq if report.head else 0,
        "head_hash": report.head_hash,
    }
    if report.breakage is not None:
        payload["broken_seq"] = report.breakage.seq
        payload["kind"] = report.breakage.kind.value
    return payload
