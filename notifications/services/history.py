"""Notifications written as history: already delivered, on the day they were
recorded (the local demo's backdated cases, ``demo/trust.py``).

The demo acts out a year of cases with the clock moved back (time-machine);
each action records its notifications as any action does. Sending those now
would put last spring's "a referral is waiting for triage" at the top of
today's list, one broker task at a time, hours of them on the filesystem
broker (issue 18). So the demo records them without queueing
(``deliveries_not_queued``) and settles them here: sent when they were
recorded, shown in the app from then, and read unless they still ask their
recipient to do something. No email goes out for them, and the case trails
do not list these sends (they were never made). Everything else a service
does, the demo's rows went through.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q

from workflow.models import Stage

from ..models import Channel, Delivery, DeliveryStatus, Notification
from .settle import ASKS_WHILE


def history_deliveries_settle(*, before: dt.datetime) -> int:
    """Mark the deliveries still pending that were recorded before ``before``
    as sent when they were recorded, without sending them; how many.

    In the app their notifications show from the time they were recorded, so
    the list orders them among the real ones by their own dates. Of those,
    the ones whose case has since moved past what they asked (a referral
    "waiting for triage" that was triaged months ago, any notice about a
    closed case) are marked read then too: they are not outstanding.
    """
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING, created_at__lt=before)
    shown = Notification.objects.filter(
        pk__in=pending.filter(channel=Channel.INAPP).values("notification_id"),
        shown_at__isnull=True,
    )
    shown.filter(_moved_on()).update(shown_at=F("created_at"), read_at=F("created_at"))
    shown.update(shown_at=F("created_at"))
    return pending.update(status=DeliveryStatus.SENT, sent_at=F("created_at"))


def _moved_on() -> Q:
    """Notifications about a case that has moved past what they asked of their recipient."""
    # What a notice asks holds while the case is at its stages (``ASKS_WHILE``);
    # any other notice about a case holds while the case is open.
    still = Q(case__stage__in=Stage.open_values())
    for kind, stages in ASKS_WHILE.items():
        still &= ~Q(kind=kind) | Q(case__stage__in=stages)
    return Q(case__isnull=False) & ~still
