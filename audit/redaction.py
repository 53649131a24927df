"""Redacting a destroyed case file's events, so that the chain still verifies.

When a case file is destroyed under the retention schedule (``records``,
docs/retention.md) its earlier events may carry personal free text in
``reason`` (a triage reason, a conflict of interest) and ``payload``. They
are blanked in place: ``reason`` emptied, ``payload`` replaced by
``REDACTED_PAYLOAD``, ``redacted_at`` set. Every other column stays, so
each event's links (``prev_hash`` to the hash before it) still hold.

A redacted event no longer matches its own hash, so the verifier trusts its
stored hash only if a *later* chained (or sealed, pending) ``case_destroyed``
event of the same case lists its ``seq`` under ``LISTED`` and, under
``FINGERPRINTS``, the fingerprint of what it kept (``audit.chain``): its
links, its hash and every column not blanked. That event is signed with the
audit key, so someone with write access to the database but not the key
cannot redact an event and cover it, nor, once it is redacted, change who
did what when, move it, or write new text into it. The trigger (migration
0011) allows this one update, and only on a chained event of a case already
marked destroyed; the verifier (``audit.verify``) checks the listing.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.types import Actor
from core.errors import DomainError

from .chain import redaction_fingerprint
from .models import AuditEvent, EventType
from .services import audit_record
from .verify import FINGERPRINTS, LISTED, REDACTED_PAYLOAD

__all__ = ["REDACTED_PAYLOAD", "audit_case_redact"]


def audit_case_redact(
    *, case: Any, actor: Actor, reason: str, payload: dict[str, Any]
) -> AuditEvent:
    """Redact ``case``'s earlier events that hold any text, then append its
    ``case_destroyed`` event by ``actor`` listing them (``payload`` plus
    ``LISTED`` and ``FINGERPRINTS``). Call inside the destruction's transaction, after the case
    is marked destroyed (the trigger checks it).

    Only chained events can be redacted: a pending event's seal covers its
    content. The caller runs ``audit_sequence`` before its transaction; an
    event of the case still pending then (the sequencer is busy) refuses the
    whole destruction with a clear error, and trying again succeeds.
    """
    if AuditEvent.objects.pending().filter(case=case).exists():
        raise DomainError(
            "Some of this case's audit events are still being chained. Try again in a minute."
        )
    events = AuditEvent.objects.filter(case=case, redacted_at__isnull=True).exclude(
        reason="", payload={}
    )
    # Chained only (none is pending, above): every seq is set. The
    # fingerprints cover no blanked column, so they are the same after.
    prints = {
        event.seq: redaction_fingerprint(event)
        for event in events.defer("reason", "payload").order_by("seq")
        if event.seq is not None
    }
    AuditEvent.objects.filter(case=case, seq__in=prints).update(
        reason="", payload=REDACTED_PAYLOAD, redacted_at=timezone.now()
    )
    return audit_record(
        case=case,
        actor=actor,
        action=EventType.CASE_DESTROYED,
        reason=reason,
        payload={
            **payload,
            LISTED: list(prints),
            FINGERPRINTS: {str(seq): value for seq, value in prints.items()},
        },
    )
