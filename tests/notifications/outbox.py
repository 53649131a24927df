"""Helpers that read the delivery log and drain the outbox in this process.

Ordinary (non-transactional) tests never commit, so ``on_commit`` never
queues a task: the deliveries stay in the outbox, exactly as when the broker
is down, and ``drain`` plays the worker by calling the same service the task
calls.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from notifications.models import Delivery, DeliveryStatus, Kind, Notification
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


# (recipient's username, case id, deadline kind, step): one step told one person.
ToldStep = tuple[str, int, str, str]


def steps_told(notification: Notification) -> list[ToldStep]:
    """Each step a deadline notification told its recipient of: itself, or
    each step a ``DUE_STEPS`` bundle lists."""
    who = notification.recipient.username
    if notification.kind == Kind.DUE_STEPS:
        return [(who, i["case"], i["kind"], i["step"]) for i in notification.items]
    assert notification.case_id is not None
    return [(who, notification.case_id, notification.kind, notification.step)]


def deadline_notifications() -> list[Notification]:
    """Every notification a deadline sweep wrote: single notices and bundles."""
    kinds = [*Kind.deadline_kinds(), Kind.DUE_STEPS]
    return list(Notification.objects.filter(kind__in=kinds).select_related("recipient"))


def told_steps() -> Counter[ToldStep]:
    """How often each step was told to each person, over every deadline notification."""
    return Counter(step for n in deadline_notifications() for step in steps_told(n))
