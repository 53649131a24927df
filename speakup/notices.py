"""Telling the guardians about concerns, and a signed-in reporter about replies.

* ``Kind.CONCERN_RAISED``: each guardian, when a concern is raised (in the
  raising transaction), and again by the sweep for any unacknowledged
  concern a guardian was not yet told of (a guardian added since).
* ``Kind.CONCERN_ACK_DUE``: each guardian, on the day the acknowledgement
  is due, if it is not done.
* ``Kind.CONCERN_ACK_OVERDUE``: each guardian, once the day has passed.
* ``Kind.CONCERN_REPLY``: a signed-in reporter, when a guardian writes.
  An anonymous reporter is told nothing (nobody knows who they are): they
  check with their case key.

One notification per person per concern per kind: the event key names the
trust, the concern and the kind (and the message, for a reply), and the
notifications' unique key makes recording it twice a no-op, so the sweep
may run as often as it likes. No notification links a case
(``Notification.case`` stays null), and the emails carry no content: the
kind, a date and a link (``notifications/templates/notifications/email``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from accounts.roles import Role
from notifications.models import Kind
from notifications.selectors import users_with_role
from notifications.services.batch import NoticeEvent, notifications_record_many
from tenancy.context import trust_id_required

from .models import Concern, Route, Source

if TYPE_CHECKING:
    from .models import ConcernMessage


def _key(kind: str, concern_id: int, extra: str = "") -> str:
    tail = f":{extra}" if extra else ""
    return f"{kind}:{trust_id_required()}:{concern_id}{tail}"


def _guardian_event(kind: str, concern: Concern) -> NoticeEvent:
    return NoticeEvent(
        event_key=_key(kind, concern.pk),
        kind=kind,
        recipients=users_with_role(Role.FTSU_GUARDIAN),
        due_on=concern.acknowledge_by,
    )


def concern_raised_notify(concern: Concern) -> None:
    """Tell every guardian a concern was raised (inside the raising transaction)."""
    notifications_record_many(events=[_guardian_event(Kind.CONCERN_RAISED, concern)])


def concern_reply_notify(concern: Concern, message: ConcernMessage) -> None:
    """Tell a reporter who raised the concern by name that a guardian wrote."""
    if concern.route == Route.ANONYMOUS or concern.reporter is None:
        return
    event = NoticeEvent(
        event_key=_key(Kind.CONCERN_REPLY, concern.pk, str(message.pk)),
        kind=Kind.CONCERN_REPLY,
        recipients=[concern.reporter],
    )
    notifications_record_many(events=[event])


def concerns_sweep_run(*, today: dt.date) -> int:
    """The sweep in the current trust: every unacknowledged concern's due
    notifications; how many concerns it looked at. Idempotent."""
    waiting = list(
        Concern.objects.filter(
            source=Source.RAISED, acknowledged_at__isnull=True, closed_at__isnull=True
        )
        .exclude(acknowledge_by__isnull=True)
        .order_by("acknowledge_by", "id")
    )
    if not waiting:
        return 0
    events: list[NoticeEvent] = []
    for concern in waiting:
        events.append(_guardian_event(Kind.CONCERN_RAISED, concern))
        due = concern.acknowledge_by
        if due is None:  # excluded above
            continue
        if due == today:
            events.append(_guardian_event(Kind.CONCERN_ACK_DUE, concern))
        elif due < today:
            events.append(_guardian_event(Kind.CONCERN_ACK_OVERDUE, concern))
    with transaction.atomic():
        notifications_record_many(events=events)
    return len(waiting)
