"""Sending one delivery exactly once, queueing deliveries, and sweeping the outbox.

The protocol (notifications/__init__.py explains the choices):

1. **Claim** with one conditional UPDATE: ``pending`` (or ``sending`` whose
   lease has run out) becomes ``sending``, ``attempts`` goes up by one and
   the lease ends ``FTP_NOTIFY_LEASE_SECONDS`` from now. Exactly one row
   changed, or someone else holds it (or it is done): then do nothing.
2. **Send**. A channel that only writes to the database (in-app) sends
   inside step 3's transaction; email sends here, outside any transaction,
   so no lock is held while a mail server answers.
3. **Record**, in one transaction: mark ``sent`` only if the row is still
   ours (``status = sending AND attempts = <our attempt>``: the attempt
   number is a fencing token) and append the audit event.

A failure releases the claim (``pending`` again, with a backoff delay) or,
after ``FTP_NOTIFY_MAX_ATTEMPTS``, marks the delivery ``failed``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import logging
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.models import EventType
from audit.services import audit_record
from tenancy.context import bound_to_current_trust
from workflow.models import Case

from ..channels import channel_for
from ..channels.base import ChannelPlugin
from ..models import Delivery, DeliveryStatus, Kind, Notification

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 600


class Outcome(enum.StrEnum):
    SENT = "sent"
    DONE_ALREADY = "done_already"  # sent, held for a digest, failed, or gone
    BUSY = "busy"  # another sender holds an unexpired lease
    SUPERSEDED = "superseded"  # our lease ran out and another sender took over
    GAVE_UP = "gave_up"


class DeliveryFailed(Exception):
    """The channel failed; the task retries after ``countdown`` seconds."""

    def __init__(self, delivery_id: int, countdown: int) -> None:
        super().__init__(f"delivery {delivery_id} failed; retry in {countdown}s")
        self.countdown = countdown


class DeliveryBusy(Exception):
    """Another sender holds the delivery's lease for ``countdown`` more seconds."""

    def __init__(self, delivery_id: int, countdown: int) -> None:
        super().__init__(f"delivery {delivery_id} is leased; look again in {countdown}s")
        self.countdown = countdown


def backoff_seconds(attempts: int) -> int:
    return int(min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)))


def delivery_send(*, delivery_id: int) -> Outcome:
    """Send one delivery if nobody has; safe to call any number of times.

    Raises ``DeliveryFailed`` when the channel failed and a retry is due, and
    ``DeliveryBusy`` when another sender holds the lease (the task looks again
    when it ends: that is how a task redelivered after its worker died
    finishes the job).
    """
    attempt = _claim(delivery_id)
    if attempt is None:
        return _why_not(delivery_id)
    delivery = Delivery.objects.select_related("notification__case", "notification__recipient").get(
        pk=delivery_id
    )
    if attempt > 1:
        # An earlier attempt failed or its worker died. If it died after the
        # mail server accepted the message, this resend is the one duplicate
        # the design allows (same Message-ID); see notifications/__init__.py.
        logger.info("delivery %s: attempt %s", delivery_id, attempt)
    try:
        plugin = channel_for(delivery.channel)
        if not plugin.transactional:
            plugin.send(delivery.notification, delivery)
        return _record_sent(delivery, attempt, plugin)
    except Exception as exc:
        return _release(delivery, attempt, exc)


def _claim(delivery_id: int) -> int | None:
    """Take the delivery for one lease; the attempt number, or None if not ours."""
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.FTP_NOTIFY_LEASE_SECONDS)
    claimable = Q(status=DeliveryStatus.PENDING) | Q(
        status=DeliveryStatus.SENDING, next_try_at__lte=now
    )
    changed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(claimable)
        .update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, next_try_at=now + lease)
    )
    if changed != 1:
        return None
    attempts: int = Delivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)
    return attempts


def _why_not(delivery_id: int) -> Outcome:
    row = Delivery.objects.filter(pk=delivery_id).values("status", "next_try_at").first()
    if row is not None and row["status"] == DeliveryStatus.SENDING:
        left = (row["next_try_at"] - timezone.now()).total_seconds()
        raise DeliveryBusy(delivery_id, max(1, int(left) + 1))
    return Outcome.DONE_ALREADY


def _record_sent(delivery: Delivery, attempt: int, plugin: ChannelPlugin) -> Outcome:
    with transaction.atomic():
        if plugin.transactional:
            plugin.send(delivery.notification, delivery)
        now = timezone.now()
        marked = Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=attempt
        ).update(status=DeliveryStatus.SENT, sent_at=now)
        if marked != 1:
            # Our lease ran out mid-send and another sender took over: it
            # records the delivery. Undo our in-app write; an email is out.
            transaction.set_rollback(True)
            logger.warning("delivery %s: lease lost during attempt %s", delivery.pk, attempt)
            return Outcome.SUPERSEDED
        notification = delivery.notification
        if notification.kind == Kind.DIGEST:
            _record_digest_contents(notification, delivery, now)
        else:
            _audit_sent(notification, delivery, attempt)
    return Outcome.SENT


def _record_digest_contents(digest: Notification, delivery: Delivery, now: dt.datetime) -> None:
    """A digest email carried each bundled notification's email: log each one."""
    bundled = Delivery.objects.filter(
        notification__digest=digest, channel=delivery.channel, status=DeliveryStatus.HELD
    ).select_related("notification__case")
    for held in bundled:
        _audit_sent(held.notification, held, 1, via_digest=delivery.pk)
    bundled.update(status=DeliveryStatus.SENT, sent_at=now)


# Freedom to Speak Up's notices are on record under speakup's own action,
# which the case engine's explorer never shows (speakup/apps.py): who was
# told of a concern, or of a reply to theirs, is the guardians' alone.
CONCERN_NOTICE_SENT = "concern_notice_sent"
# Suspension-review notices: registered by suspensions/apps.py.
SUSPENSION_NOTICE_SENT = "suspension_notice_sent"
_AUDIT_ACTION = {
    Kind.REMINDER: EventType.REMINDER_SENT,
    Kind.OVERDUE_HR: EventType.ESCALATION_SENT,
    Kind.OVERDUE_DECISION_MAKER: EventType.ESCALATION_SENT,
    Kind.CONCERN_RAISED: CONCERN_NOTICE_SENT,
    Kind.CONCERN_ACK_DUE: CONCERN_NOTICE_SENT,
    Kind.CONCERN_ACK_OVERDUE: CONCERN_NOTICE_SENT,
    Kind.CONCERN_REPLY: CONCERN_NOTICE_SENT,
    # Kept off the path of those the register is hidden from (access.SUSPENSION_EVENTS).
    Kind.SUSPENSION_REVIEW_DUE: SUSPENSION_NOTICE_SENT,
    Kind.SUSPENSION_REVIEW_OVERDUE: SUSPENSION_NOTICE_SENT,
    Kind.SUSPENSION_ESCALATED: SUSPENSION_NOTICE_SENT,
}


def _audit_sent(
    notification: Notification, delivery: Delivery, attempt: int, via_digest: int | None = None
) -> None:
    """The case's audit trail names the kind, channel and recipient by id
    only. A ``DUE_STEPS`` message is on the trail of each case it lists."""
    base: dict[str, Any] = {
        "channel": delivery.channel,
        "recipient": notification.recipient_id,
        "delivery": delivery.pk,
        "attempt": attempt,
    }
    if via_digest is not None:
        base["digest_delivery"] = via_digest
    if notification.kind == Kind.DUE_STEPS:
        base["bundle"] = notification.pk
    for case, kind, step in _told_about(notification):
        payload = {"kind": kind, **base}
        if step:
            payload["step"] = step
        audit_record(
            case=case,
            actor=None,
            action=_AUDIT_ACTION.get(Kind(kind), EventType.NOTIFICATION_SENT),
            payload=payload,
        )


def _told_about(notification: Notification) -> list[tuple[Case | None, str, str]]:
    """(case, kind, step) of each thing the notification told: itself, or
    each step a ``DUE_STEPS`` bundle lists (their cases read in one query)."""
    if notification.kind != Kind.DUE_STEPS:
        return [(notification.case, notification.kind, notification.step)]
    cases = Case.objects.in_bulk({item["case"] for item in notification.items})
    return [(cases.get(item["case"]), item["kind"], item["step"]) for item in notification.items]


def _release(delivery: Delivery, attempt: int, exc: Exception) -> Outcome:
    """Give the claim back with a backoff, or give up after the last attempt."""
    now = timezone.now()
    error = type(exc).__name__
    mine = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=attempt)
    if attempt >= settings.FTP_NOTIFY_MAX_ATTEMPTS:
        mine.update(status=DeliveryStatus.FAILED, last_error=error)
        logger.error(
            "delivery %s over %s failed for good after %s attempts (%s)",
            delivery.pk,
            delivery.channel,
            attempt,
            error,
        )
        return Outcome.GAVE_UP
    countdown = backoff_seconds(attempt)
    mine.update(
        status=DeliveryStatus.PENDING,
        next_try_at=now + dt.timedelta(seconds=countdown),
        last_error=error,
    )
    logger.warning(
        "delivery %s over %s failed (attempt %s, %s); retry in %ss",
        delivery.pk,
        delivery.channel,
        attempt,
        error,
        countdown,
    )
    raise DeliveryFailed(delivery.pk, countdown) from exc


# --- queueing --------------------------------------------------------------------


class BrokerBreaker:
    """After the broker failed, stop asking it for a while (per process).

    Reaching a Redis that refuses connections takes redis-py several seconds
    of its own retries; without this, every case action during an outage
    would wait that long before answering. Nothing is lost by skipping: the
    deliveries stay in the outbox and the sweep queues them.
    """

    pause_seconds = 30.0

    def __init__(self) -> None:
        self._until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self._until

    def trip(self) -> None:
        self._until = time.monotonic() + self.pause_seconds

    def reset(self) -> None:
        self._until = 0.0


broker_breaker = BrokerBreaker()


# Deliveries per send message. One action's deliveries (a handful) go in one
# message; the outbox sweep's thousand are split so that several workers
# share them and one slow mail server holds up no more than this many.
SEND_BATCH = 25


def deliveries_enqueue(delivery_ids: Iterable[int]) -> int:
    """Queue the send tasks for ``delivery_ids``; how many deliveries were queued.

    One broker message per ``SEND_BATCH`` deliveries (``send_deliveries``),
    so an action's notifications cost the broker one round trip, not one
    per person and channel. Each delivery is still claimed and sent on its
    own (``delivery_send``), so batching changes nothing about exactly once.

    Never raises: when the broker is down the rows stay ``pending`` in the
    outbox and the beat sweep queues them once it is back. Called from
    ``transaction.on_commit``, after the case action has committed, so a
    broker failure here cannot undo the action.
    """
    from ..tasks import send_deliveries

    ids = list(delivery_ids)
    if ids and broker_breaker.is_open():
        logger.info("broker recently unreachable: %s deliveries left to the outbox sweep", len(ids))
        return 0
    queued = 0
    for start in range(0, len(ids), SEND_BATCH):
        batch = ids[start : start + SEND_BATCH]
        try:
            send_deliveries.apply_async((batch,), retry=False)
        except Exception as exc:  # the broker is down: the outbox keeps the rest
            broker_breaker.trip()
            logger.warning(
                "could not queue %s deliveries (%s); the outbox sweep will send them",
                len(ids) - queued,
                type(exc).__name__,
            )
            break
        queued += len(batch)
    return queued


# Inside ``deliveries_not_queued``: record, but queue nothing.
_not_queued: ContextVar[bool] = ContextVar("ftp_deliveries_not_queued", default=False)


@contextlib.contextmanager
def deliveries_not_queued() -> Iterator[None]:
    """Within the block, actions record their deliveries but queue no send task.

    For history written as already delivered (the local demo's backdated
    cases: ``history_deliveries_settle``). A delivery left pending is still in
    the outbox: the sweep queues it after ``FTP_OUTBOX_GRACE_SECONDS``.
    """
    token = _not_queued.set(True)
    try:
        yield
    finally:
        _not_queued.reset(token)


def deliveries_enqueue_on_commit(delivery_ids: list[int]) -> None:
    if delivery_ids and not _not_queued.get():
        # Sent in the trust the deliveries are of, whatever the caller is
        # in once its transaction commits (tenancy/tasks.py).
        transaction.on_commit(
            bound_to_current_trust(partial(deliveries_enqueue, list(delivery_ids)))
        )


def outbox_sweep(*, limit: int = 1000) -> int:
    """Queue again every delivery still unsent past the grace period: those
    whose task was never queued (broker down), was lost, or whose sender died.
    One indexed range read over the unsent rows only.

    A pending delivery it queues is stamped as queued now (``next_try_at``),
    so the next sweeps leave it to that task for another grace period rather
    than queueing it again each minute while the task waits its turn behind
    a long queue (issue 18: 51 copies came back "done already"). A claim
    never reads a pending row's ``next_try_at``, so the stamp delays nothing.
    A delivery being sent keeps its lease as it is.
    """
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.FTP_OUTBOX_GRACE_SECONDS)
    ids = list(
        Delivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], next_try_at__lte=cutoff
        )
        .order_by("next_try_at")
        .values_list("pk", flat=True)[:limit]
    )
    # The sweep runs when the broker handed a worker its task: it is back.
    broker_breaker.reset()
    queued = deliveries_enqueue(ids)
    if queued:
        Delivery.objects.filter(
            pk__in=ids[:queued], status=DeliveryStatus.PENDING, next_try_at__lte=cutoff
        ).update(next_try_at=now)
    if ids:
        logger.info("outbox sweep: %s unsent deliveries, %s queued", len(ids), queued)
    return queued
