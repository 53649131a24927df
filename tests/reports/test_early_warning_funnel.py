"""The early warning's funnel plot (docs/early-warning.md, "The funnel plot"):
Spiegelhalter's exact binomial limits on hand-computed examples, their shape
for any target, a point's place against them, and the trust-wide target."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.early_warning_funnel import (
    ABOVE_95,
    ABOVE_998,
    BELOW_95,
    BELOW_998,
    INSIDE,
    Limits,
    control_limit,
    funnel_limits,
    funnel_position,
    funnel_target,
    limits_at,
)
from reports.importers import headcount_import

from .conftest import HEAD, csv_text


def spiegelhalter(cdf: list[Fraction], q: Fraction, n: int) -> Fraction:
    """The limit by hand, from a distribution's exact cumulative values."""
    r = next(r for r, f in enumerate(cdf) if f >= q)
    below = cdf[r - 1] if r else Fraction(0)
    alpha = (cdf[r] - q) / (cdf[r] - below)
    return (r - alpha) / n


# Bin(10, 1/2): P(X <= r) * 1024 for r = 0..10.
HALF_10 = [Fraction(c, 1024) for c in (1, 11, 56, 176, 386, 638, 848, 968, 1013, 1023, 1024)]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # r = 2: alpha = (56 - 25.6) / 45, the limit (2 - alpha) / 10.
        (Fraction(25, 1000), Fraction(2) / 10 - Fraction(304, 450) / 10),
        # r = 8: alpha = (1013 - 998.4) / 45.
        (Fraction(975, 1000), Fraction(8) / 10 - Fraction(146, 450) / 10),
        # r = 1: alpha = (11 - 1.024) / 10, the limit 0.00024.
        (Fraction(1, 1000), Fraction(24, 100000)),
        # r = 9: alpha = (1023 - 1022.976) / 10, the limit 0.89976.
        (Fraction(999, 1000), Fraction(89976, 100000)),
    ],
)
def test_the_limits_for_ten_referrals_around_a_half(q, expected):
    assert spiegelhalter(HALF_10, q, 10) == expected
    assert control_limit(10, 0.5, float(q)) == pytest.approx(float(expected), abs=1e-12)


def test_all_four_limits_for_four_referrals_around_a_quarter():
    """Bin(4, 1/4): P(X <= r) = 81, 189, 243, 255, 256 over 256. The lower
    limits fall below 0 and are 0; upper 95%: r = 3, alpha = (255 - 249.6)/12,
    (3 - 0.45)/4 = 0.6375; upper 99.8%: r = 4, alpha = 0.256, 0.936."""
    limits = limits_at(4, 0.25)
    assert limits.n == 4
    assert limits.low_998 == 0
    assert limits.low_95 == 0
    assert limits.high_95 == pytest.approx(0.6375, abs=1e-12)
    assert limits.high_998 == pytest.approx(0.936, abs=1e-12)


def test_a_target_of_nought_or_one_has_no_spread():
    assert limits_at(7, 0.0) == Limits(7, 0.0, 0.0, 0.0, 0.0)
    assert limits_at(7, 1.0) == Limits(7, 1.0, 1.0, 1.0, 1.0)


def test_the_limits_refuse_what_has_no_meaning():
    with pytest.raises(ValueError, match="n must be at least 1"):
        limits_at(0, 0.5)
    with pytest.raises(ValueError, match="q must lie strictly between"):
        control_limit(5, 0.5, 1.0)


def test_a_large_n_does_not_underflow():
    limits = limits_at(50_000, 0.2)
    sd = math.sqrt(0.2 * 0.8 / 50_000)
    assert limits.high_95 == pytest.approx(0.2 + 1.96 * sd, abs=2e-4)
    assert limits.high_998 == pytest.approx(0.2 + 3.09 * sd, abs=2e-4)


def test_the_funnel_runs_from_one_to_the_largest_n():
    limits = funnel_limits(0.3, 40)
    assert [lim.n for lim in limits] == list(range(1, 41))
    assert limits[9] == limits_at(10, 0.3)
    assert funnel_limits(0.3, 0) == ()


@given(n=st.integers(1, 300), p0=st.floats(0.001, 0.999))
def test_the_limits_are_nested_and_within_nought_and_one(n, p0):
    lim = limits_at(n, p0)
    assert 0 <= lim.low_998 <= lim.low_95 <= lim.high_95 <= lim.high_998 <= 1


@given(n=st.integers(20, 400), p0=st.floats(0.05, 0.95))
def test_the_95_limits_hold_the_target_and_narrow_as_n_grows(n, p0):
    lim = limits_at(n, p0)
    width = 2.5 * math.sqrt(p0 * (1 - p0) / n) + 1 / n
    assert lim.low_95 <= p0 <= lim.high_95
    assert lim.high_95 - p0 <= width
    assert p0 - lim.low_95 <= width


@pytest.mark.parametrize(
    ("bme", "position"),
    [
        (10, ABOVE_998),  # 1.0 > 0.89976
        (9, ABOVE_998),  # 0.9 > 0.89976
        (8, ABOVE_95),  # 0.8: above 0.7676, under 0.89976
        (5, INSIDE),
        (2, INSIDE),  # 0.2: above 0.1324
        (1, BELOW_95),  # 0.1: under 0.1324, above 0.00024
        (0, BELOW_998),  # 0 < 0.00024
    ],
)
def test_a_points_place_against_the_funnel(bme, position):
    assert funnel_position(10, bme, limits_at(10, 0.5)) == position


def test_a_point_on_a_limit_is_inside_it():
    lim = Limits(10, 0.1, 0.2, 0.6, 0.8)
    assert funnel_position(10, 6, lim) == INSIDE
    assert funnel_position(10, 2, lim) == INSIDE
    assert funnel_position(10, 8, lim) == ABOVE_95


def test_the_target_is_the_trusts_bme_share_in_the_latest_snapshot(units):
    headcount_import(
        text=csv_text(
            HEAD,
            "2025-03-31,DEP-ED,A,50",
            "2025-03-31,DEP-ED,N,50",
            "2025-03-31,DEP-AMU,A,100",
            "2025-03-31,TRUST,M,25",  # held against the trust: still the trust's
            "2025-03-31,DEP-ED,Z,40",  # unknown: in neither
            "2024-03-31,DEP-ED,N,999",  # an older snapshot
            "2025-06-30,DEP-ED,N,999",  # after as_at
        )
    )
    target = funnel_target(dt.date(2025, 3, 31))
    assert target.snapshot == dt.date(2025, 3, 31)
    assert (target.white, target.bme) == (150, 75)
    assert target.p0 == Fraction(1, 3)
    assert funnel_target(dt.date(2024, 3, 30)).p0 is None
    assert funnel_target(dt.date(2024, 3, 30)).snapshot is None
