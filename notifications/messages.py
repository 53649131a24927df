"""What each notification says, in plain language.

In the app a line may name the step ("Triage is due on 5 Dec"): the list is
behind sign-in and shows only the recipient's own notifications. Emails say
less: the case reference, the kind of notice, a date and a link; never a
name, the concern, the panel's deliberation or an ethnic category.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Kind, Notification

_STEP_TITLES = {
    "triage": "Triage",
    "resubmit": "Adding information and resubmitting",
    "informal": "Informal resolution",
    "convene": "Convening the panel",
    "decide": "The panel's decision",
    "signoff": "Sign-off",
}

_INAPP = {
    Kind.SUBMITTED: "{ref}: a referral is waiting for triage.",
    Kind.CASE_MOVED: "{ref}: the case you referred has moved on.",
    Kind.PANEL_CONVENED: "{ref}: you are on the panel. Declare any conflict of interest first.",
    Kind.SIGNOFF_WAITING: "{ref}: the panel proposes a formal investigation; sign-off is waiting.",
    Kind.REMINDER: "{ref}: {step} is due on {due}.",
    Kind.OVERDUE_HR: "{ref}: {step} is due today ({due}) and not done. Please follow it up.",
    Kind.OVERDUE_DECISION_MAKER: "{ref}: {step} was due on {due} and is still not done.",
    Kind.DIGEST: "Your daily digest.",
}


def _reference(notification: Notification) -> str:
    case = notification.case
    return case.reference if case is not None else ""


def inapp_text(notification: Notification) -> str:
    """One line for the in-app list."""
    template = _INAPP.get(Kind(notification.kind), "{ref}")
    return template.format(
        ref=_reference(notification),
        step=_STEP_TITLES.get(notification.step, "A step"),
        due=notification.due_on.strftime("%-d %b %Y") if notification.due_on else "",
    )


def _context(notification: Notification) -> dict[str, Any]:
    site = settings.FTP_SITE_URL
    case_url = (
        f"{site}{reverse('cases:detail', args=[notification.case_id])}"
        if notification.case_id
        else ""
    )
    bundled = (
        [
            {"reference": _reference(n), "what": Kind(n.kind).label, "due_on": n.due_on}
            for n in notification.bundled.select_related("case").order_by("created_at", "id")
        ]
        if notification.kind == Kind.DIGEST
        else []
    )
    return {
        "reference": _reference(notification),
        "due_on": notification.due_on,
        "case_url": case_url,
        "list_url": f"{site}{reverse('notifications:list')}",
        "preferences_url": f"{site}{reverse('notifications:preferences')}",
        "escalate_after": settings.FTP_ESCALATE_DECISION_MAKER_AFTER_WORKING_DAYS,
        "bundled": bundled,
    }


def email_subject(notification: Notification) -> str:
    text = render_to_string(
        f"notifications/email/{notification.kind}_subject.txt", _context(notification)
    )
    return " ".join(text.split())  # one line: headers cannot hold newlines


def email_body(notification: Notification) -> str:
    return render_to_string(f"notifications/email/{notification.kind}.txt", _context(notification))
