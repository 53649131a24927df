"""The daily digest: one email listing what a person chose not to get one by one.

Emails of people who chose the digest are recorded ``held``. Once a day
(beat, at ``FTP_DIGEST_HOUR``) each of them gets one digest notification
(event ``digest:<date>``), its held emails are bundled into it, and the
digest is delivered like any other email: claimed, sent, recorded once.
When the digest is recorded sent, each bundled email is marked sent and
appears in its case's audit trail.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tenancy.context import trust_id_required

from ..models import Channel, Delivery, DeliveryStatus, Kind, Notification
from .record import notifications_record


def digests_build(*, day: dt.date | None = None) -> int:
    """Build today's digest for everyone with held emails; how many were built."""
    day = day or timezone.localdate()
    user_ids = (
        Delivery.objects.filter(status=DeliveryStatus.HELD, notification__digest__isnull=True)
        .order_by("notification__recipient_id")
        .values_list("notification__recipient_id", flat=True)
        .distinct()
    )
    return sum(1 for user_id in list(user_ids) if digest_build(user_id=user_id, day=day))


@transaction.atomic
def digest_build(*, user_id: int, day: dt.date) -> Notification | None:
    """Bundle ``user_id``'s held emails into their digest for ``day``.

    Idempotent: a second run the same day adds newly held emails to the
    digest only while it is still unsent (later ones wait for tomorrow's).
    """
    user = get_user_model().objects.get(pk=user_id)
    # The trust is in the key: (event, recipient) is unique across trusts,
    # and a person of two trusts gets a digest in each.
    key = f"digest:{trust_id_required()}:{day.isoformat()}"
    notifications_record(event_key=key, kind=Kind.DIGEST, recipients=[user])
    digest = Notification.objects.filter(event_key=key, recipient=user).first()
    if (
        digest is None
        or not Delivery.objects.filter(notification=digest, status=DeliveryStatus.PENDING).exists()
    ):
        return None
    held = Delivery.objects.filter(
        notification__recipient=user,
        channel=Channel.EMAIL,
        status=DeliveryStatus.HELD,
        notification__digest__isnull=True,
    ).values("notification_id")
    Notification.objects.filter(pk__in=held).update(digest=digest)
    return digest
