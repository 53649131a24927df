"""Writes to the audit log. Every append goes through ``audit_record``.

Each trust's events form their own chain, and events written outside any
trust (a refused sign-in, a break-glass login) the deployment's own chain
(ADR 0020): an event joins the chain of the trust being acted for. Each
service here works on the current chain; ``for_each_chain`` runs one in
every chain, for beat's tasks and ``verify_audit``.

A chain must never fork (two writers linking to the same last event), yet
writers on different cases must not wait for each other (ADR 0016). So an
append chains its event at once only if the chain lock is free
(``pg_try_advisory_xact_lock``, never waiting); otherwise it stores the
event pending, sealed with the key, and the sequencer (``audit_sequence``,
run after every commit that appended, and by beat every minute) chains
pending events in batches. ``audit.sequencing`` has the moving parts. The
unique ``seq`` is the backstop: a fork could not be stored.

Each event is signed with the current audit key (``audit.keyring``); only its
id is stored.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.types import Actor
from tenancy.context import current_trust_id

from .alerts import anchor_not_recorded_alert, chain_broken_alert
from .anchors import (
    Anchor,
    AnchorFileError,
    anchor_from_report,
    anchor_record,
    compare_with_anchor,
    last_anchor,
)
from .chain import normalise_payload, timestamp
from .chains import chain_code, chain_label, for_each_chain
from .models import DEPLOYMENT, AuditEvent, EventType
from .sequencing import (
    SEQUENCE_BATCH,
    link,
    next_link,
    seal,
    sequence_pending,
    transaction_appends,
)
from .verify import Breakage, Kind, Report, check_anchor, verify_log

__all__ = [
    "DEPLOYMENT",
    "audit_chain_check",
    "audit_export_record",
    "audit_record",
    "audit_sequence",
    "chain_label",
    "for_each_chain",
    "personal_data_access_record",
]

logger = logging.getLogger(__name__)


def audit_record(
    *,
    case: Any,
    actor: Actor | None,
    action: str,
    from_stage: str = "",
    to_stage: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the current trust's chain (outside any trust, the
    deployment chain). Call inside the action's transaction, so an action
    that rolls back leaves no event (and releases the chain lock).

    ``case`` is None for events about no one case (imports, exports, checks).
    It is a ``workflow.Case``, typed ``Any`` here because the case engine sits
    above the audit log and audit imports nothing of it. ``actor`` is None
    for the system (the daily chain check).

    The event comes back chained (``seq`` set) if the chain lock was free,
    else pending (``seq`` None) until the sequencer chains it after commit.
    Never waits for another writer.
    """
    action = str(action)  # an enum member hashes and stores as its value
    chain = current_trust_id()
    with transaction.atomic(savepoint=False):
        appends = transaction_appends().chain(chain)
        event = AuditEvent(
            trust_id=chain,
            case=case,
            actor=actor,
            at=timezone.now(),
            action=action,
            from_stage=from_stage,
            to_stage=to_stage,
            reason=reason,
            payload=normalise_payload(payload),
        )
        after = next_link(appends)
        if after is None:
            seal(event)
            event.save(force_insert=True)
        else:
            link(event, after[0] + 1, after[1])
            event.save(force_insert=True)
            appends.remember(after[0] + 1, event)
    return event


def audit_sequence(*, batch_size: int = SEQUENCE_BATCH) -> int:
    """Chain every pending event of the current chain (oldest first, in
    batches); how many were. ``for_each_chain(audit_sequence)`` does every chain.

    Runs after every commit that appended an event, and from beat every
    ``FTP_AUDIT_SEQUENCE_SECONDS`` as the backstop for a process that died
    between its commit and its run. Returns at once if another process holds
    the chain lock: that process looks again after releasing it. Safe to run
    any number of times at once.
    """
    return sequence_pending(batch_size=batch_size)


def personal_data_access_record(
    *, user: Actor, case: Any, field: str, channel: str = "web"
) -> None:
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
    *, actor: Actor, fmt: str, filters: dict[str, str], rows: int, through_seq: int
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


def audit_chain_check(
    *,
    actor: Actor | None = None,
    anchor: bool = True,
    expect: tuple[int, str] | None = None,
    chunk_size: int = 5000,
) -> Report:
    """Check the current chain (the current trust's, or outside any trust the
    deployment's): the one service behind the daily task and ``verify_audit``.

    Walks the chain (streamed), compares it with its last anchor in
    ``FTP_AUDIT_ANCHOR_FILE`` and with ``expect`` (SEQ, HASH) if given,
    records the check as an event of the chain by ``actor`` (None: the
    system), alerts HR leads if anything is broken, and, if ``anchor`` and
    the chain verified, records a new anchor of it (file and
    ``FTP_AUDIT_ANCHOR_EMAILS``).

    The walk holds no lock: appends go on meanwhile, and the check covers the
    log as it was when the walk began.
    """
    keyring = settings.FTP_AUDIT_KEYRING
    path = Path(settings.FTP_AUDIT_ANCHOR_FILE)
    code = chain_code()
    try:
        previous, anchor_problem = last_anchor(path, trust=code), None
    except AnchorFileError as exc:
        previous, anchor_problem = None, Breakage(0, 0, Kind.ANCHOR_MISMATCH, str(exc))
    report = verify_log(chunk_size=chunk_size, keyed_after=previous.head_seq if previous else None)
    report = dataclasses.replace(
        report,
        breakage=_first(report.breakage, anchor_problem, *_anchor_checks(report, previous, expect)),
    )

    checked_at = timezone.now()
    new_anchor = anchor_from_report(
        report, trust=code, at=timestamp(checked_at), key_id=keyring.current_id
    )
    audit_record(
        case=None,
        actor=actor,
        action=EventType.VERIFY,
        reason=str(report),
        payload=_report_payload(report),
    )
    if report.broken:
        chain_broken_alert(report, chain=code or DEPLOYMENT)
    elif report.empty:
        logger.warning("Audit chain check: the log is empty, nothing was verified.")
    if anchor and report.intact:
        # Only a verified head is anchored: a broken or empty log keeps the
        # last good anchor, so every later check keeps comparing with it.
        try:
            anchor_record(new_anchor)
        except OSError as exc:
            logger.error("Audit anchor not recorded in %s: %s", path, exc.strerror)
            anchor_not_recorded_alert(str(path), exc.strerror or type(exc).__name__)
    return report


def _anchor_checks(
    report: Report, previous: Anchor | None, expect: tuple[int, str] | None
) -> list[Breakage | None]:
    """How the log differs from the last anchor and from ``expect``. The count
    is compared only if the walk went to the end (a break stops it early)."""
    found: list[Breakage | None] = []
    if previous is not None:
        if report.broken:
            source = f"the anchor of {previous.at}"
            found.append(check_anchor(previous.head_seq, previous.head_hash, source=source))
        else:
            found.append(compare_with_anchor(report, previous))
    if expect is not None:
        found.append(check_anchor(*expect, source=f"the expected anchor {expect[0]}"))
    return found


def _first(*found: Breakage | None) -> Breakage | None:
    """The earliest breakage (problems with the anchor file itself, seq 0, first)."""
    return min((b for b in found if b is not None), key=lambda b: b.seq, default=None)


def _report_payload(report: Report) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "status": report.status,
        "intact": report.intact,
        "events": report.events,
        "head_seq": report.head.seq if report.head else 0,
        "head_hash": report.head_hash,
        "pending": report.pending,
    }
    if report.breakage is not None:
        payload["broken_seq"] = report.breakage.seq
        payload["kind"] = report.breakage.kind.value
    return payload
