"""Recording and reporting break-glass logins.

While local passwords are off (single sign-on), only the break-glass accounts
may log in with one (``accounts.backends``), when NHSmail is down or
misconfigured. Each such login is an exceptional event a trust's security
officer must be able to account for: it is written to the audit log
(``break_glass_login``: the account as actor, the door it came through) and
the HR leads are emailed, as for an audit chain failure
(``audit.alerts.hr_lead_emails``). Neither carries the password or the
address it came from (the login lockout keeps addresses only hashed).

Accounts, below the audit log, announces the login (``BreakGlassLogin``);
this module, above it, subscribes in ``StaffConfig.ready``.
"""

from __future__ import annotations

import logging
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.events import BreakGlassLogin
from audit.alerts import hr_lead_emails
from audit.services import audit_record

from .events import SsoAuditEvent

log = logging.getLogger(__name__)

ALERT_SUBJECT = "Break-glass login to the Fair Treatment Panel"


def break_glass_login_record(event: BreakGlassLogin) -> None:
    """Record ``event`` in the audit log and, once that has committed, email
    the HR leads. A failed email is logged, never a failed login."""
    with transaction.atomic():
        audit_record(
            case=None,
            actor=event.user,
            action=SsoAuditEvent.BREAK_GLASS_LOGIN,
            payload={"door": event.door.value},
        )
        transaction.on_commit(
            partial(_break_glass_alert, event.user.get_username(), event.door.value),
            robust=True,
        )


def _break_glass_alert(username: str, door: str) -> None:
    recipients = hr_lead_emails()
    if not recipients:
        log.error("No HR lead email address to alert of a break-glass login (FTP_HR_LEAD_EMAILS).")
        return
    when = timezone.localtime().strftime("%d %B %Y at %H:%M")
    body = (
        f"The break-glass account {username!r} logged in with a password through the "
        f"{door} login on {when}.\n\n"
        "Passwords are switched off here in favour of NHSmail single sign-on; the "
        "break-glass accounts are for when NHSmail is down or misconfigured. If this "
        "login was not expected, change the account's password at once and review the "
        "audit log (event type: break-glass login)."
    )
    send_mail(ALERT_SUBJECT, body, None, recipients)
