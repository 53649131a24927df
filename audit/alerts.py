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
from django.db.models import Q

from accounts.roles import Role
from tenancy.context import current_trust_id

from .models import DEPLOYMENT

if TYPE_CHECKING:
    from .verify import Report

logger = logging.getLogger(__name__)

SUBJECT = "Audit log failed verification"


def hr_lead_emails() -> list[str]:
    """FTP_HR_LEAD_EMAILS, or else every active HR adviser with an email: of
    the current trust, or outside any trust (the deployment chain's events
    are every trust's sign-ins) of every trust."""
    if settings.FTP_HR_LEAD_EMAILS:
        return list(settings.FTP_HR_LEAD_EMAILS)
    trust_id = current_trust_id()
    advisers = Q(memberships__role=Role.HR.value)
    if trust_id is not None:
        advisers &= Q(memberships__trust_id=trust_id)
    users = get_user_model().objects.filter(advisers, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def chain_broken_alert(report: Report, *, chain: str) -> int:
    """Log the breakage of ``chain`` (a trust's code, or ``deployment``) and
    email HR leads; returns how many were emailed."""
    logger.error("Audit chain verification failed (%s): %s", chain, report)
    recipients = hr_lead_emails()
    if not recipients:
        logger.error("No HR lead email address to alert (set FTP_HR_LEAD_EMAILS).")
        return 0
    where = "--deployment" if chain == DEPLOYMENT else f"--trust {chain}"
    body = (
        f"A check of the audit log's chain of {chain} found it {report}.\n\n"
        f"Events before that point verified. Run `python manage.py verify_audit {where}` to "
        "see it again, and treat the chain after that point as unproven until it is "
        "investigated. Other chains are checked on their own."
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
