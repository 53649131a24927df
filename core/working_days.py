"""Working days: weekdays that are not bank holidays in the trust's region.

The trust's time limits are counted in working days: the Acas Code sets no
day limits, so the product's limits are trust policy counted in working
days (docs/domain/acas-and-fair-procedure.md). The region (``ENG`` England,
the default, ``WLS`` Wales, ``SCT`` Scotland, ``NIR`` Northern Ireland) is
the trust's too: callers pass ``trust_policy().bank_holiday_region``
(tenancy.policy; core sits below it). Pure functions over dates; no
database, no clock.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

# England and Wales share one list of bank holidays; the library files it
# under England's subdivision (and Wales's, the same list).
DEFAULT_REGION = "ENG"
REGIONS = ("ENG", "WLS", "SCT", "NIR")


@lru_cache(maxsize=len(REGIONS))
def _bank_holidays(region: str) -> holidays.HolidayBase:
    if region not in REGIONS:
        raise ValueError(f"Unknown bank-holiday region {region!r} (one of {', '.join(REGIONS)}).")
    return holidays.country_holidays("GB", subdiv=region)


@lru_cache(maxsize=4096)
def is_working_day(day: dt.date, region: str = DEFAULT_REGION) -> bool:
    """A weekday that is not a bank holiday (or its substitute) in ``region``."""
    return day.weekday() < 5 and day not in _bank_holidays(region)


def working_days_between(start: dt.date, end: dt.date, region: str = DEFAULT_REGION) -> int:
    """Working days elapsed from ``start`` to ``end``: those after ``start``, up
    to and including ``end``. Zero when ``end`` is not after ``start``.

    A case that entered a stage on Friday and is looked at on Monday has
    spent one working day there; the day it arrived does not count.
    """
    if end <= start:
        return 0
    days = (end - start).days
    return sum(is_working_day(start + dt.timedelta(days=n), region) for n in range(1, days + 1))


def add_working_days(start: dt.date, days: int, region: str = DEFAULT_REGION) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts).

    The inverse of ``working_days_between``: for any ``n >= 1``,
    ``working_days_between(start, add_working_days(start, n)) == n``. A step
    entered on Friday with a limit of one working day is due on Monday (or
    Tuesday after a bank holiday Monday). ``days == 0`` gives ``start``.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        remaining -= is_working_day(day, region)
    return day


def working_days_before(day: dt.date, days: int, region: str = DEFAULT_REGION) -> dt.date:
    """The ``days``-th working day before ``day`` (``day`` itself never counts);
    ``add_working_days`` the other way. ``days == 0`` gives ``day``."""
    if days < 0:
        raise ValueError("days must not be negative")
    while days > 0:
        day -= dt.timedelta(days=1)
        days -= is_working_day(day, region)
    return day
