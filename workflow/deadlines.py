"""When each step of a case is due, in working days. Pure functions over settings.

The limits are trust settings (``FTP_STEP_TIME_LIMITS``). A step is due on
the ``limit``-th working day after the local date it was entered, so a
triage that arrives on Friday afternoon with a five-day limit is due the
following Friday, and a bank holiday in between pushes it to Monday.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from core.working_days import add_working_days


def step_limit(step: str) -> int | None:
    """The step's limit in working days, or None for a step without one."""
    limit = settings.FTP_STEP_TIME_LIMITS.get(step)
    return int(limit) if limit is not None else None


def due_on_for(step: str, entered_at: dt.datetime) -> dt.date | None:
    """The last working day to finish ``step`` entered at ``entered_at``."""
    limit = step_limit(step)
    if limit is None:
        return None
    return add_working_days(timezone.localdate(entered_at), limit)


def is_overdue(due_on: dt.date | None, today: dt.date | None = None) -> bool:
    """Past its due date: the due date itself is still on time."""
    if due_on is None:
        return False
    return (today or timezone.localdate()) > due_on
