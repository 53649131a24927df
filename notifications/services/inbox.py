"""What a person does with their own notifications and preferences."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.types import Actor
from core.errors import NotFound, ValidationFailed

from ..models import Delivery, DeliveryStatus, EmailMode, Notification, NotificationPreference
from .delivery import deliveries_enqueue_on_commit


def notification_mark_read(*, user: Actor, notification_id: int) -> Notification:
    """Mark one of the person's notifications read; anyone else's is not found."""
    notification = Notification.objects.filter(
        pk=notification_id, recipient=user, shown_at__isnull=False
    ).first()
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: Actor) -> int:
    return Notification.objects.filter(
        recipient=user, shown_at__isnull=False, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def notification_preference_set(*, user: Actor, email_mode: str) -> NotificationPreference:
    """Immediate emails or a daily digest. Switching to immediate releases the
    emails held for a digest not yet built: they are sent now."""
    if email_mode not in EmailMode.values:
        raise ValidationFailed({"email_mode": ["Choose immediate emails or a daily digest."]})
    pref, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_mode": email_mode}
    )
    if email_mode == EmailMode.IMMEDIATE:
        held = Delivery.objects.filter(
            notification__recipient=user,
            status=DeliveryStatus.HELD,
            notification__digest__isnull=True,
        )
        ids = list(held.values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING, next_try_at=timezone.now()
        )
        deliveries_enqueue_on_commit(ids)
    return pref
