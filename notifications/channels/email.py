"""Email through Django's email backend, in plain language.

The body carries the case reference and a link, never a name, the concern
or an ethnic category (notifications.messages). Each delivery has a fixed
Message-ID, so if a worker dies between the mail server accepting a message
and the log recording it, the one resend (notifications/__init__.py) reaches
the mailbox with the same Message-ID and mail clients can fold it away.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from accounts.types import Actor

from .. import messages
from ..models import Channel, Delivery, Notification


class EmailChannel:
    name = Channel.EMAIL.value
    transactional = False
    digestible = True

    def accepts(self, user: Actor) -> bool:
        return bool(user.is_active and user.email)

    def send(self, notification: Notification, delivery: Delivery) -> None:
        message = EmailMessage(
            subject=messages.email_subject(notification),
            body=messages.email_body(notification),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient.email],
            headers={"Message-ID": message_id(delivery)},
            connection=get_connection(fail_silently=False),
        )
        message.send()


def message_id(delivery: Delivery) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<ftp-delivery-{delivery.pk}@{domain}>"


CHANNEL = EmailChannel()
