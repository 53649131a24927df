"""When each step of a case is due, in working days, under the trust's policy.

The limits are the current trust's (``trust_policy().step_time_limits``,
counted around its region's bank holidays; defaults ``FTP_STEP_TIME_LIMITS``
and ``FTP_BANK_HOLIDAY_REGION``). A step is due on
the ``limit``-th working day after the local date it was entered, so a
triage that arrives on Friday afternoon with a five-day limit is due the
following Friday, and a bank holiday in between pushes it to Monday.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.working_days import add_working_days
from tenancy.policy import trust_policy


def step_limit(step: str) -> int | None:
    """The step's limit in working days, or None for a step without one."""
    limit = trust_policy().step_time_limits.get(step)
    return int(limit) if limit is not None else None


def due_on_for(step: str, entered_at: dt.datetime) -> dt.date | None:
    """The last working day to finish ``step`` entered at ``entered_at``."""
    limit = step_limit(step)
    if limit is None:
        return None
    return add_working_days(
        timezone.localdate(entered_at), limit, trust_policy().bank_holiday_region
    )


def is_overdue(due_on: dt.date | None, today: dt.date | None = None) -> bool:
    """Past its due date: the due date itself is still on time."""
    if due_on is None:
        return False
    return (today or timezone.localdate()) > due_on
