"""Helpers that read the delivery log and drain the outbox in this process.

Ordinary (non-transactional) tests never commit, so ``on_commit`` never
queues a task: the deliveries stay in the outbox, exactly as when the broker
is down, and ``drain`` plays the worker by calling the same service the task
calls.
"""

from __future__ import annotations

from typing import Any

from notifications.models import Delivery, DeliveryStatus, Notification
from notifications.services import delivery_send


def drain() -> int:
    """Send every pending delivery once, as the worker would; how many."""
    ids = list(Delivery.objects.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True))
    for pk in ids:
        delivery_send(delivery_id=pk)
    return len(ids)


def kinds_for(user: Any) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def recipients_of(kind: str) -> set[Any]:
    return {n.recipient for n in Notification.objects.filter(kind=kind).select_related("recipient")}
