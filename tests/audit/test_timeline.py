"""Time in each stage comes from the events' stages, in working days."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple
from zoneinfo import ZoneInfo

from audit.timeline import stage_stays

LONDON = ZoneInfo("Europe/London")
LIMITS = {"submitted": 5, "informal": 20, "panel": 15, "signoff": 5}


class E(NamedTuple):
    at: dt.datetime
    from_stage: str
    to_stage: str


def day(d: int, month: int = 11, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, d, hour, tzinfo=LONDON)


def test_each_stay_is_timed_against_its_limit() -> None:
    events = [
        E(day(2), "", "submitted"),  # Monday
        E(day(4), "submitted", "informal"),  # 2 working days later
        E(day(4, 12), "", ""),  # a showing of ethnicity: not a stage event
        E(day(9), "informal", "panel"),  # 3 working days
    ]
    stays = stage_stays(events, now=day(3, month=12), limits=LIMITS)
    assert [(s.stage, s.working_days, s.limit, s.over_limit) for s in stays] == [
        ("submitted", 2, 5, False),
        ("informal", 3, 20, False),
        ("panel", 18, 15, True),  # 9 Nov to 3 Dec, still there
    ]
    assert stays[-1].left is None
    assert stays[0].left == day(4)


def test_events_within_a_stage_do_not_restart_its_clock() -> None:
    events = [
        E(day(2), "", "submitted"),
        E(day(3), "submitted", "submitted"),  # returned to the manager
        E(day(5), "submitted", "submitted"),  # resubmitted
        E(day(12), "submitted", "informal"),
    ]
    stays = stage_stays(events, now=day(13), limits=LIMITS)
    assert [(s.stage, s.working_days, s.over_limit) for s in stays] == [
        ("submitted", 8, True),
        ("informal", 1, False),
    ]


def test_a_stage_entered_again_is_a_new_stay_and_terminal_stages_are_not_timed() -> None:
    events = [
        E(day(2), "", "submitted"),
        E(day(3), "submitted", "panel"),
        E(day(4), "panel", "signoff"),
        E(day(5), "signoff", "panel"),  # sign-off declined
        E(day(6), "panel", "closed"),
    ]
    stays = stage_stays(events, now=day(30), limits=LIMITS)
    assert [(s.stage, s.working_days) for s in stays] == [
        ("submitted", 1),
        ("panel", 1),
        ("signoff", 1),
        ("panel", 1),
    ]


def test_bank_holidays_do_not_count() -> None:
    events = [E(day(24, month=12), "", "submitted")]
    (stay,) = stage_stays(events, now=day(29, month=12), limits=LIMITS)
    assert stay.working_days == 1  # 25th, 26th-28th off; the 29th counts
