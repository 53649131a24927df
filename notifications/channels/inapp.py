"""In the app: the notification appears in the person's list (with unread count)."""

from __future__ import annotations

from django.utils import timezone

from accounts.types import Actor

from ..models import Channel, Delivery, Notification


class InAppChannel:
    name = Channel.INAPP.value
    transactional = True
    digestible = False  # in the app is always immediate

    def accepts(self, user: Actor) -> bool:
        return bool(user.is_active)

    def send(self, notification: Notification, delivery: Delivery) -> None:
        Notification.objects.filter(pk=notification.pk, shown_at__isnull=True).update(
            shown_at=timezone.now()
        )


CHANNEL = InAppChannel()
