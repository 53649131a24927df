"""Recording many events' notifications at once (the deadline sweep's outbox).

``notifications_record`` records one event in five queries; a sweep firing a
thousand notices would pay that a thousand times. This records any number
of events in the same five: one insert of every notification, one read of
their ids, one read of digest preferences, one insert of every delivery and
one read of those still to send, whose tasks are queued once, after commit.
Each row is exactly the one ``notifications_record`` would write for its
event (``tests/notifications/test_batch.py`` holds the two to that), and
the same unique keys make recording an event twice a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.types import Actor

from ..channels import enabled_channels
from ..models import Delivery, DeliveryStatus, Kind, Notification
from ..selectors import digest_user_ids
from .delivery import deliveries_enqueue_on_commit


@dataclass(frozen=True)
class NoticeEvent:
    """One event to tell ``recipients`` about (the arguments of ``notifications_record``)."""

    event_key: str
    kind: str
    recipients: Sequence[Actor]
    case_id: int | None = None
    step: str = ""
    due_on: dt.date | None = None
    items: Sequence[dict[str, Any]] = ()


def notifications_record_many(*, events: Sequence[NoticeEvent]) -> list[int]:
    """One notification per active recipient of each event, and a delivery per
    channel that can reach them; returns the deliveries queued on commit.

    Call inside a transaction: the rows commit with it and the send tasks
    are queued only once it has. Idempotent, as ``notifications_record``.
    """
    people = {u.pk: u for e in events for u in e.recipients if u is not None and u.is_active}
    wanted = {
        (e.event_key, u.pk): e
        for e in events
        for u in e.recipients
        if u is not None and u.pk in people
    }
    if not wanted:
        return []
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                event_key=key,
                recipient_id=user_id,
                kind=e.kind,
                case_id=e.case_id,
                step=e.step,
                due_on=e.due_on,
                items=list(e.items),
                created_at=now,
            )
            for (key, user_id), e in wanted.items()
        ],
        ignore_conflicts=True,
    )
    keys = sorted({key for key, _ in wanted})
    notes = [
        (note_id, key, user_id)
        for note_id, key, user_id in Notification.objects.filter(event_key__in=keys).values_list(
            "pk", "event_key", "recipient_id"
        )
        if (key, user_id) in wanted
    ]
    kinds = {e.kind for e in wanted.values()}
    digesters = digest_user_ids(people) if kinds - {Kind.DIGEST} else set()
    plans = {
        (user_id, kind): delivery_channels(user, kind=kind, digester=user_id in digesters)
        for user_id, user in people.items()
        for kind in kinds
    }
    rows = [
        Delivery(
            notification_id=note_id,
            channel=channel,
            status=status,
            next_try_at=now,
            created_at=now,
        )
        for note_id, key, user_id in notes
        for channel, status in plans[user_id, wanted[key, user_id].kind]
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    pending = Delivery.objects.filter(
        notification_id__any_of=[note_id for note_id, _, _ in notes], status=DeliveryStatus.PENDING
    )
    ids = list(pending.values_list("pk", flat=True))
    deliveries_enqueue_on_commit(ids)
    return ids


def delivery_channels(user: Actor, *, kind: str, digester: bool) -> list[tuple[str, str]]:
    """The (channel, status) of each delivery ``user`` gets for a notification
    of ``kind``: one per channel that can reach them; an email for someone
    who chose the daily digest (``digester``) is held for it."""
    return [
        (plugin.name, _status(plugin.digestible and digester, kind))
        for plugin in enabled_channels().values()
        # A digest is itself one email: it never goes to the in-app list.
        if plugin.accepts(user) and (kind != Kind.DIGEST or plugin.digestible)
    ]


def _status(held_for_digest: bool, kind: str) -> str:
    """An email for someone who chose the digest waits for it (never the digest
    itself, nor a meeting's calendar invitation: a calendar needs it as it is)."""
    immediate = kind == Kind.DIGEST or kind in Kind.meeting_kinds()
    return DeliveryStatus.HELD if held_for_digest and not immediate else DeliveryStatus.PENDING
