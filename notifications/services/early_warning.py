"""HR advisers hear about new early-warning alerts once a quarter.

The quarterly run lives in ``reports`` (``reports.early_warning_alerts``),
a sibling this app may not import (ADR 0015): it announces what it found
(``reports.events.EarlyWarningAlertsRaised``) and this handler, subscribed
where both apps are visible (``web.apps``), records one notification per HR
adviser. Only the announcement's shape is assumed here (``AlertsRaised``).

The event key names the trust and the quarter, so a rerun tells nobody twice.
The notification lists the new alerts (level and key) for the record; the
in-app line counts them by level and the email says only how many and links
to the early-warning page (``notifications.messages``): never a manager's
name or number, never an ethnic group's figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from django.db import transaction

from accounts.roles import Role

from ..models import Kind
from ..selectors import users_with_role
from .batch import NoticeEvent, notifications_record_many

LISTED_MAX = 100  # the page lists every alert; a notification names at most these


class AlertsRaised(Protocol):
    @property
    def trust_id(self) -> int: ...
    @property
    def quarter_end(self) -> dt.date: ...
    @property
    def new(self) -> Sequence[tuple[str, str]]: ...


def early_warning_notify(event: AlertsRaised) -> None:
    """One notification per HR adviser listing the quarter's new alerts;
    nothing when there are none."""
    if not event.new:
        return
    items: list[dict[str, Any]] = [
        {"level": level, "key": key} for level, key in event.new[:LISTED_MAX]
    ]
    if len(event.new) > LISTED_MAX:
        items.append({"more": len(event.new) - LISTED_MAX})
    notice = NoticeEvent(
        event_key=f"early_warning:{event.trust_id}:{event.quarter_end.isoformat()}",
        kind=Kind.EARLY_WARNING,
        recipients=users_with_role(Role.HR),
        due_on=event.quarter_end,
        items=items,
    )
    with transaction.atomic():
        notifications_record_many(events=[notice])
