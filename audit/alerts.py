"""Telling HR leads that the audit chain failed verification.

There is no notification system yet, so this is email through Django's
``send_mail`` plus an error log line. Both carry event numbers and the kind
of breakage only: never a name, a case's content or an ethnic category.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from accounts.roles import Role

if TYPE_CHECKING:
    from .verify import Report

logger = logging.getLogger(__name__)

SUBJECT = "Audit log failed verification"


def hr_lead_emails() -> list[str]:
    """FTP_HR_LEAD_EMAILS, or else every active HR adviser with an email."""
    if settings.FTP_HR_LEAD_EMAILS:
        return list(settings.FTP_HR_LEAD_EMAILS)
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.HR.group_name)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def chain_broken_alert(report: Report) -> int:
    """Log the breakage and email HR leads; returns how many were emailed."""
    logger.error("Audit chain verification failed: %s", report)
    recipients = hr_lead_emails()
    if not recipients:
        logger.error("No HR lead email address to alert (set FTP_HR_LEAD_EMAILS).")
        return 0
    body = (
        f"A check of the audit log found it {report}.\n\n"
        "Events before that point verified. Run `python manage.py verify_audit` to see it "
        "again, and treat the log after that point as unproven until it is investigated."
    )
    send_mail(SUBJECT, body, None, recipients)
    return len(recipients)


def anchor_not_recorded_alert(path: str, reason: str) -> int:
    """Tell HR leads the check could not record its anchor; returns how many
    were emailed. Without anchors a cut or recomputed log goes unseen."""
    recipients = hr_lead_emails()
    if not recipients:
        logger.error("No HR lead email address to alert (set FTP_HR_LEAD_EMAILS).")
        return 0
    body = (
        f"The audit log check could not record its anchor in {path}: {reason}.\n\n"
        "The log itself was checked, but until anchors are recorded again a log cut short "
        "or recomputed would not be noticed. Ask the system's administrators to fix the "
        "anchor file (FTP_AUDIT_ANCHOR_FILE)."
    )
    send_mail("Audit log anchor not recorded", body, None, recipients)
    return len(recipients)
