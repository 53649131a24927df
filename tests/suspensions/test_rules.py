"""The register's date rules, without the database."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from core.working_days import is_working_day, working_days_between
from suspensions.rules import day_problem, next_review_on, start_problem

TODAY = dt.date(2026, 3, 11)


@given(
    st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31)),
    st.integers(min_value=1, max_value=60),
)
def test_the_next_review_is_exactly_that_many_working_days_later(day: dt.date, every: int) -> None:
    due = next_review_on(day, every, "ENG")
    assert working_days_between(day, due, "ENG") == every
    assert is_working_day(due, "ENG")


def test_twenty_working_days_over_easter_skip_the_bank_holidays() -> None:
    # Thursday 2 April 2026: Good Friday and Easter Monday do not count.
    assert next_review_on(dt.date(2026, 4, 2), 20, "ENG") == dt.date(2026, 5, 5)


def test_a_measure_starts_today_or_earlier_and_not_before_the_referral() -> None:
    referred = dt.date(2026, 3, 2)
    assert start_problem(TODAY, today=TODAY, referred_on=referred) is None
    assert start_problem(referred, today=TODAY, referred_on=referred) is None
    assert "future" in (
        start_problem(TODAY + dt.timedelta(days=1), today=TODAY, referred_on=referred) or ""
    )
    assert "referred" in (
        start_problem(dt.date(2026, 3, 1), today=TODAY, referred_on=referred) or ""
    )


def test_a_review_or_lift_falls_between_its_start_and_today() -> None:
    start = dt.date(2026, 3, 2)
    assert day_problem(TODAY, today=TODAY, not_before=start, what="review") is None
    assert day_problem(start, today=TODAY, not_before=start, what="review") is None
    assert day_problem(dt.date(2026, 3, 12), today=TODAY, not_before=start, what="review") == (
        "The review cannot be in the future."
    )
    assert day_problem(dt.date(2026, 3, 1), today=TODAY, not_before=start, what="lift") == (
        "The lift cannot be before 02 March 2026."
    )
