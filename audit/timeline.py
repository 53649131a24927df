"""Time a case spent in each stage, from its audit events. Pure functions.

A stay begins with the event that moved the case into a stage and ends with
the event that moved it out; events that leave the stage as it was (a
triage return, a resubmission, a convening) fall inside the stay. The
terminal stages (``formal``, ``closed``) have no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from django.utils import timezone

from core.working_days import DEFAULT_REGION, working_days_between

TERMINAL = frozenset({"formal", "closed"})


class StageEvent(Protocol):
    @property
    def at(self) -> dt.datetime: ...

    @property
    def to_stage(self) -> str: ...


@dataclass(frozen=True)
class StageStay:
    stage: str
    entered: dt.datetime
    left: dt.datetime | None  # None: the case is still there
    working_days: int
    limit: int | None

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.working_days > self.limit


def stage_stays(
    events: Iterable[StageEvent],
    *,
    now: dt.datetime,
    limits: Mapping[str, int],
    region: str = DEFAULT_REGION,
) -> list[StageStay]:
    """Each stay in a non-terminal stage, oldest first, in working days
    (counted on local dates: a stage entered at 23:30 was entered that day;
    ``region``: whose bank holidays, the trust's policy)."""
    stays: list[StageStay] = []
    current: tuple[str, dt.datetime] | None = None
    for event in events:
        if not event.to_stage or (current and current[0] == event.to_stage):
            continue
        if current is not None:
            stays.append(
                _stay(*current, end=event.at, still_there=False, limits=limits, region=region)
            )
        current = None if event.to_stage in TERMINAL else (event.to_stage, event.at)
    if current is not None:
        stays.append(_stay(*current, end=now, still_there=True, limits=limits, region=region))
    return stays


def _stay(
    stage: str,
    entered: dt.datetime,
    *,
    end: dt.datetime,
    still_there: bool,
    limits: Mapping[str, int],
    region: str,
) -> StageStay:
    days = working_days_between(timezone.localdate(entered), timezone.localdate(end), region)
    return StageStay(stage, entered, None if still_there else end, days, limits.get(stage))
