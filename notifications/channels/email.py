"""Email through Django's email backend, in plain language.

The body carries the case reference and a link, never a name, the concern
or an ethnic category (notifications.messages). Each delivery has a fixed
Message-ID, so if a worker dies between the mail server accepting a message
and the log recording it, the one resend (notifications/__init__.py) reaches
the mailbox with the same Message-ID and mail clients can fold it away.
"""

from __future__ import annotations

from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from accounts.types import Actor

from .. import messages
from ..models import Channel, Delivery, Kind, Notification


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
        if notification.kind in Kind.meeting_kinds():
            invitation = meeting_invitation(notification)
            if invitation is not None:
                message.attach(invitation)
        message.send()


def meeting_invitation(notification: Notification) -> MIMEText | None:
    """The meeting's calendar invitation for the recipient, built now from the
    meeting as it is (a retry never sends a time that has since moved):
    ``text/calendar; method=REQUEST`` (or ``CANCEL``), named invite.ics."""
    from panels.meeting_ics import CANCEL, REQUEST
    from panels.meetings import invitation_ics
    from panels.models import PanelMeeting

    item = notification.items[0] if notification.items else {}
    meeting_id = item.get("meeting")
    meeting = (
        PanelMeeting.objects.select_related("case", "panel").filter(pk=meeting_id).first()
        if meeting_id
        else None
    )
    if meeting is None:
        return None
    cancel = notification.kind == Kind.MEETING_CANCELLED
    ics = invitation_ics(meeting, notification.recipient_id, cancel=cancel)
    method = CANCEL if f"METHOD:{CANCEL}".encode() in ics else REQUEST
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def message_id(delivery: Delivery) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<ftp-delivery-{delivery.pk}@{domain}>"


CHANNEL = EmailChannel()
