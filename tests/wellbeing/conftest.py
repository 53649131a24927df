"""The wellbeing tests reuse the workflow tests' people and story teller,
on a clock they can move (the check-in schedule counts working days)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ..workflow.conftest import extras, story

__all__ = ["clock", "extras", "story"]

LONDON = ZoneInfo("Europe/London")
# Thursday 17 December 2026: six working days on is Tuesday 29 December,
# over Christmas Day (Friday) and Boxing Day's substitute (Monday 28).
START = dt.datetime(2026, 12, 17, 10, 0, tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[Any]:
    """Thursday 17 December 2026, 10:00 in London; ``clock.to(date)`` moves it."""
    with time_machine.travel(START, tick=False) as t:

        class Clock:
            def to(self, day: dt.date, hour: int = 9) -> None:
                t.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON))

        yield Clock()
