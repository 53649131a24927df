"""NHS quarters: Q1 is April to June of the year starting 1 April."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assurance.quarters import Quarter, quarter_of


@pytest.mark.parametrize(
    ("day", "year", "quarter"),
    [
        (dt.date(2025, 4, 1), 2025, 1),
        (dt.date(2025, 6, 30), 2025, 1),
        (dt.date(2025, 7, 1), 2025, 2),
        (dt.date(2025, 9, 30), 2025, 2),
        (dt.date(2025, 10, 1), 2025, 3),
        (dt.date(2025, 12, 31), 2025, 3),
        (dt.date(2026, 1, 1), 2025, 4),
        (dt.date(2026, 3, 31), 2025, 4),
        (dt.date(2026, 4, 1), 2026, 1),
    ],
)
def test_a_day_falls_in_its_nhs_quarter(day, year, quarter):
    assert quarter_of(day) == Quarter(year, quarter)


def test_a_quarter_knows_its_days_and_label():
    q4 = Quarter(2025, 4)
    assert (q4.start, q4.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert Quarter(2024, 4).end == dt.date(2025, 3, 31)
    assert Quarter(2025, 3).end == dt.date(2025, 12, 31)
    assert q4.label == "2025/26 Q4"
    assert Quarter(2099, 1).label == "2099/00 Q1"


def test_the_trend_is_the_quarters_before_oldest_first():
    assert Quarter(2025, 2).previous(4) == [
        Quarter(2024, 2),
        Quarter(2024, 3),
        Quarter(2024, 4),
        Quarter(2025, 1),
    ]
    assert Quarter(2025, 1).shifted(-1) == Quarter(2024, 4)
    assert Quarter(2024, 4).shifted(1) == Quarter(2025, 1)


def test_a_fifth_quarter_does_not_exist():
    with pytest.raises(ValueError, match="1 to 4"):
        Quarter(2025, 5)


@given(st.dates(min_value=dt.date(2000, 4, 1), max_value=dt.date(2100, 12, 31)))
def test_every_day_lies_in_its_quarter_and_quarters_tile_the_calendar(day):
    quarter = quarter_of(day)
    assert quarter.start <= day <= quarter.end
    assert quarter.shifted(1).start == quarter.end + dt.timedelta(days=1)
    assert quarter_of(quarter.start) == quarter == quarter_of(quarter.end)
    # The financial year: April of ``year`` to March of ``year + 1``.
    assert dt.date(quarter.year, 4, 1) <= day <= dt.date(quarter.year + 1, 3, 31)
