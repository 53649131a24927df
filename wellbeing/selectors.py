"""Wellbeing reads: the trust's signposting, and a case's wellbeing card.

``support_services`` is what every letter, the case page and the employee's
own page (``web`` for the account link) list. The card and the check-in
history are for those ``workflow.access.WellbeingVisible`` allows; a page
asks ``wellbeing_card_for``, which returns None for anyone else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.types import Viewer
from core.paging import Cursor, KeysetPage, keyset_page
from workflow.access import WellbeingVisible
from workflow.models import Case

from .models import CheckIn, CheckInSchedule, SupportService

# Check-ins shown on the case page's card; the rest are a page away.
CARD_CHECKINS = 5
CHECKIN_ORDER = ("-held_on", "-id")


def support_services() -> list[SupportService]:
    """The current trust's active support services, in their order (a few
    rows: a trust lists a handful)."""
    return list(SupportService.objects.filter(active=True).order_by("position", "id")[:50])


def support_lines(services: list[SupportService] | None = None) -> list[str]:
    """Each active service as one plain-text line, for a letter:
    "Occupational health: Occupational health service, 020 7946 0000
    (https://…). Confidential advice on your health at work." """
    lines = []
    for service in support_services() if services is None else services:
        line = f"{service.get_kind_display()}: {service.name}, {service.contact}"
        if service.url:
            line += f" ({service.url})"
        if service.description:
            line += f". {service.description.rstrip('.')}."
        lines.append(line)
    return lines


@dataclass(frozen=True)
class WellbeingCard:
    """What the case page's wellbeing card shows to HR and the contact."""

    contact: Any
    last_checkin: CheckIn | None
    checkins: list[CheckIn]
    more: bool
    due_on: dt.date | None
    overdue: bool
    services: list[SupportService]


def wellbeing_card_for(
    user: Viewer, case: Case, *, with_services: bool = True
) -> WellbeingCard | None:
    """The card for ``user``, or None if they may not see it. A fixed
    number of queries: the contact, the newest check-ins, the schedule and
    (unless ``with_services`` is false: the API does not show them) the
    trust's support services."""
    if not WellbeingVisible.allows(user, case):
        return None
    rows = list(
        CheckIn.objects.filter(case=case)
        .select_related("by")
        .order_by(*CHECKIN_ORDER)[: CARD_CHECKINS + 1]
    )
    schedule = CheckInSchedule.objects.filter(case=case).first() if case.under_way else None
    due_on = schedule.due_on if schedule is not None else None
    return WellbeingCard(
        contact=case.wellbeing_contact,
        last_checkin=rows[0] if rows else None,
        checkins=rows[:CARD_CHECKINS],
        more=len(rows) > CARD_CHECKINS,
        due_on=due_on,
        overdue=due_on is not None and due_on < timezone.localdate(),
        services=support_services() if with_services else [],
    )


def checkins_page(
    user: Viewer, case: Case, cursor: Cursor | None, size: int = 25
) -> KeysetPage[Any]:
    """One keyset page of the case's check-ins, for HR and the contact only."""
    rows = CheckIn.objects.filter(case=case).select_related("by")
    if not WellbeingVisible.allows(user, case):
        rows = rows.none()
    return keyset_page(rows, order=CHECKIN_ORDER, cursor=cursor, size=size)
