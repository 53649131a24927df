"""Template helpers: the unread count for the menu, and a step's due date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from notifications.selectors import unread_count, unread_label
from workflow.models import CaseStep

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_unread(context: template.Context) -> str:
    """Unread in-app notifications of the signed-in person, as shown ("999+"
    past the most counted; one query, cached on the request for the page)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None:
        return "0"
    cached = getattr(request, "_ftp_unread", None)
    if cached is None:
        cached = unread_count(user)
        request._ftp_unread = cached
    return unread_label(int(cached))


@register.inclusion_tag("notifications/_due.html")
def due(due_on: dt.date | None, stage_open: bool = True) -> dict[str, Any]:
    """A step's due date and, past it, an overdue marker (the due date itself
    is still on time)."""
    today = timezone.localdate()
    return {
        "due_on": due_on if stage_open else None,
        "overdue": bool(stage_open and due_on and today > due_on),
    }


@register.inclusion_tag("notifications/_due.html")
def case_due(case: Any) -> dict[str, Any]:
    """The open step's due date for one case page (one query)."""
    due_on = (
        CaseStep.objects.filter(case=case, left_at__isnull=True)
        .values_list("due_on", flat=True)
        .first()
    )
    return due(due_on, case.is_open)
