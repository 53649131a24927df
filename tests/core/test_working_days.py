"""Working days skip weekends and bank holidays: England and Wales's by
default, or those of the trust's region."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.working_days import (
    REGIONS,
    add_working_days,
    is_working_day,
    working_days_before,
    working_days_between,
)

dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))


def test_a_friday_to_the_next_monday_is_one_working_day() -> None:
    assert working_days_between(dt.date(2026, 11, 20), dt.date(2026, 11, 23)) == 1


def test_christmas_and_boxing_day_observed_are_not_working_days() -> None:
    # 2026: Christmas on a Friday, Boxing Day on Saturday, observed Monday 28th.
    assert not is_working_day(dt.date(2026, 12, 25))
    assert not is_working_day(dt.date(2026, 12, 28))
    assert working_days_between(dt.date(2026, 12, 24), dt.date(2026, 12, 29)) == 1


def test_easter_and_the_may_bank_holidays_are_skipped() -> None:
    assert not is_working_day(dt.date(2026, 4, 3))  # Good Friday
    assert not is_working_day(dt.date(2026, 4, 6))  # Easter Monday
    assert not is_working_day(dt.date(2026, 5, 25))  # Spring bank holiday
    assert is_working_day(dt.date(2026, 4, 7))


def test_scotlands_own_bank_holidays_are_working_days_here() -> None:
    assert is_working_day(dt.date(2026, 1, 2))  # 2 January: Scotland only
    assert is_working_day(dt.date(2026, 8, 3))  # first Monday of August: Scotland only


@given(dates)
def test_no_time_has_passed_on_the_same_day(day: dt.date) -> None:
    assert working_days_between(day, day) == 0


@given(dates, dates)
def test_never_negative_and_never_more_than_the_calendar_days(a: dt.date, b: dt.date) -> None:
    days = working_days_between(a, b)
    assert 0 <= days <= max((b - a).days, 0)


@given(dates, dates, dates)
def test_spans_add_up(a: dt.date, b: dt.date, c: dt.date) -> None:
    a, b, c = sorted((a, b, c))
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)


@given(dates)
def test_a_week_holds_at_most_five_working_days_and_at_least_three(day: dt.date) -> None:
    # In these years no week holds more than two bank holidays (1999's millennium week did).
    assert 3 <= working_days_between(day, day + dt.timedelta(days=7)) <= 5


@given(dates)
def test_weekends_never_count(day: dt.date) -> None:
    if day.weekday() >= 5:
        assert not is_working_day(day)


@given(dates)
def test_one_day_later_counts_exactly_when_that_day_is_a_working_day(day: dt.date) -> None:
    after = day + dt.timedelta(days=1)
    assert working_days_between(day, after) == int(is_working_day(after))


def test_five_working_days_from_a_friday_is_the_next_friday() -> None:
    assert add_working_days(dt.date(2026, 11, 20), 5) == dt.date(2026, 11, 27)


def test_a_bank_holiday_pushes_the_due_date_back_a_day() -> None:
    # Thursday 20 August 2026 + 5 working days skips Monday 31 August (summer bank holiday).
    assert add_working_days(dt.date(2026, 8, 27), 5) == dt.date(2026, 9, 4)


def test_christmas_week_stretches_a_five_day_limit_over_two_weeks() -> None:
    assert add_working_days(dt.date(2026, 12, 23), 5) == dt.date(2027, 1, 4)


def test_adding_no_working_days_is_the_same_day_and_negative_is_refused() -> None:
    assert add_working_days(dt.date(2026, 11, 21), 0) == dt.date(2026, 11, 21)
    with pytest.raises(ValueError, match="negative"):
        add_working_days(dt.date(2026, 11, 21), -1)


@given(dates, st.integers(min_value=1, max_value=60))
def test_adding_working_days_is_undone_by_counting_them(start: dt.date, n: int) -> None:
    due = add_working_days(start, n)
    assert is_working_day(due)
    assert working_days_between(start, due) == n
    assert working_days_between(start, due - dt.timedelta(days=1)) == n - 1


def test_working_days_before_skips_weekends_and_bank_holidays() -> None:
    assert working_days_before(dt.date(2026, 3, 9), 2) == dt.date(2026, 3, 5)
    assert working_days_before(dt.date(2026, 4, 7), 1) == dt.date(2026, 4, 2)
    assert working_days_before(dt.date(2026, 12, 29), 1) == dt.date(2026, 12, 24)
    assert working_days_before(dt.date(2026, 3, 9), 0) == dt.date(2026, 3, 9)


@given(dates, st.integers(min_value=1, max_value=60))
def test_counting_back_is_undone_by_counting_forward(day: dt.date, n: int) -> None:
    earlier = working_days_before(day, n)
    assert is_working_day(earlier)
    if is_working_day(day):
        assert add_working_days(earlier, n) == day


# --- a trust's region (its policy's bank_holiday_region) -------------------------


def test_each_region_skips_its_own_bank_holidays() -> None:
    st_andrews_day = dt.date(2026, 11, 30)  # a Monday
    assert is_working_day(st_andrews_day)
    assert is_working_day(st_andrews_day, "ENG")
    assert not is_working_day(st_andrews_day, "SCT")
    assert not is_working_day(dt.date(2026, 3, 17), "NIR")  # St Patrick's Day
    assert is_working_day(dt.date(2026, 3, 17), "WLS")
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 1, "ENG") == st_andrews_day
    assert add_working_days(friday, 1, "SCT") == dt.date(2026, 12, 1)
    assert working_days_before(dt.date(2026, 12, 1), 1, "SCT") == friday
    assert working_days_between(friday, dt.date(2026, 12, 1), "SCT") == 1


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="region"):
        is_working_day(dt.date(2026, 11, 30), "XX")


@given(dates, st.integers(min_value=0, max_value=60), st.sampled_from(REGIONS))
def test_adding_and_counting_agree_in_every_region(start: dt.date, n: int, region: str) -> None:
    end = add_working_days(start, n, region)
    assert working_days_between(start, end, region) == n
    if is_working_day(start, region):
        assert working_days_before(end, n, region) == start
