"""The register's rules about dates: pure functions, testable without the database.

A measure's first review falls ``review_every`` working days after it
started, each later one that many working days after the review that
continued it (``next_review_on``). A measure starts on a day already past or
today, never before the case was referred (``start_problem``); it is
reviewed or lifted on a day between its start (or its last review) and
today (``day_problem``).
"""

from __future__ import annotations

import datetime as dt

from core.working_days import add_working_days


def next_review_on(day: dt.date, every: int, region: str) -> dt.date:
    """The review due ``every`` working days after ``day`` (a start or a review)."""
    return add_working_days(day, every, region)


def start_problem(started_on: dt.date, *, today: dt.date, referred_on: dt.date) -> str | None:
    """Why ``started_on`` cannot be a measure's start, or None."""
    if started_on > today:
        return "Record a measure once it has started: the start cannot be in the future."
    if started_on < referred_on:
        return (
            f"The start cannot be before the case was referred ({referred_on:%d %B %Y}); "
            "record an earlier measure on the case it belongs to."
        )
    return None


def day_problem(day: dt.date, *, today: dt.date, not_before: dt.date, what: str) -> str | None:
    """Why ``day`` cannot be the date of a review or lift, or None: it must
    be no later than today and no earlier than ``not_before`` (the start,
    or the last review)."""
    if day > today:
        return f"The {what} cannot be in the future."
    if day < not_before:
        return f"The {what} cannot be before {not_before:%d %B %Y}."
    return None
