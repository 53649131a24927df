"""Indicator 3 arithmetic against figures worked by hand."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from reports.indicator import GroupFigures, indicator, window_figures


def one_year(entered: int, headcount: int) -> GroupFigures:
    return window_figures([entered], headcount)


def defined(bme: GroupFigures, white: GroupFigures) -> tuple[float, float, float]:
    """The ratio and its interval, where the test expects all three defined."""
    result = indicator(bme, white)
    rl, low, high = result.relative_likelihood, result.ci95_low, result.ci95_high
    assert rl is not None
    assert low is not None
    assert high is not None
    return rl, low, high


def test_the_worked_example_in_domain_md_gives_1_83_from_raw_counts():
    # 17 white and 9 BME staff entered; headcounts 2,505 white and 725 BME.
    result = indicator(one_year(9, 725), one_year(17, 2505))
    rl, low, high = defined(one_year(9, 725), one_year(17, 2505))
    assert round(rl, 2) == 1.83
    assert rl == (9 / 725) / (17 / 2505)
    # Katz by hand: se = sqrt(1/9 - 1/725 + 1/17 - 1/2505) = 0.41007
    se = math.sqrt(1 / 9 - 1 / 725 + 1 / 17 - 1 / 2505)
    assert round(se, 5) == 0.41007
    assert round(low, 2) == 0.82
    assert round(high, 2) == 4.09
    assert result.non_adverse is False


def test_the_rounded_percentages_would_have_given_a_misleading_1_7():
    assert round(1.2 / 0.7, 1) == 1.7
    assert round(defined(one_year(9, 725), one_year(17, 2505))[0], 1) == 1.8


def test_no_bme_entries_gives_a_ratio_of_zero_with_a_lower_bound_of_zero():
    result = indicator(one_year(0, 400), one_year(10, 1000))
    rl, low, high = defined(one_year(0, 400), one_year(10, 1000))
    assert rl == 0.0
    assert low == 0.0
    # Haldane-Anscombe: 0.5 of 401 against 10.5 of 1001.
    rr = (0.5 / 401) / (10.5 / 1001)
    se = math.sqrt(1 / 0.5 - 1 / 401 + 1 / 10.5 - 1 / 1001)
    assert math.isclose(high, rr * math.exp(1.959963984540054 * se))
    assert result.non_adverse is False


def test_no_white_entries_leaves_the_ratio_undefined():
    result = indicator(one_year(3, 400), one_year(0, 1000))
    assert result.relative_likelihood is None
    assert (result.ci95_low, result.ci95_high, result.non_adverse) == (None, None, None)


def test_no_entries_at_all_leaves_everything_undefined():
    assert indicator(one_year(0, 400), one_year(0, 1000)).relative_likelihood is None


def test_a_group_with_no_headcount_has_no_rate_and_no_ratio():
    assert one_year(0, 0).rate is None
    assert indicator(one_year(2, 0), one_year(3, 100)).relative_likelihood is None
    assert indicator(one_year(2, 100), one_year(3, 0)).relative_likelihood is None


def test_entries_above_the_headcount_are_bad_data_and_give_no_ratio():
    assert indicator(one_year(20, 10), one_year(3, 100)).relative_likelihood is None


def test_tiny_counts_give_parity_with_a_very_wide_interval():
    rl, low, high = defined(one_year(1, 10), one_year(1, 10))
    assert rl == 1.0
    assert indicator(one_year(1, 10), one_year(1, 10)).non_adverse is True
    assert low < 0.1
    assert high > 10


def test_the_non_adverse_range_includes_both_ends_exactly():
    assert indicator(one_year(4, 100), one_year(5, 100)).non_adverse is True  # 0.80
    assert indicator(one_year(5, 100), one_year(4, 100)).non_adverse is True  # 1.25
    assert indicator(one_year(79, 1000), one_year(100, 1000)).non_adverse is False  # 0.79
    assert indicator(one_year(126, 1000), one_year(100, 1000)).non_adverse is False  # 1.26


def test_the_two_year_window_averages_entries_over_the_end_of_year_headcount():
    figures = window_figures([3, 6], 100)
    assert figures.entered == Fraction(9, 2)
    assert figures.rate == 0.045
    assert (figures.events, figures.exposure) == (9, 200)


def test_the_two_year_ratio_is_the_ratio_of_the_mean_rates():
    bme, white = window_figures([4, 6], 500), window_figures([10, 12], 2000)
    rl, low, high = defined(bme, white)
    assert math.isclose(rl, (5 / 500) / (11 / 2000))
    # Pooling two years' entries narrows the interval against one year's alone.
    _, single_low, single_high = defined(window_figures([6], 500), window_figures([12], 2000))
    assert high - low < single_high - single_low


counts = st.integers(min_value=0, max_value=300)
heads = st.integers(min_value=300, max_value=20000)


@given(counts, heads, st.integers(min_value=1, max_value=300), heads)
def test_the_interval_always_holds_the_ratio(a, n1, c, n2):
    rl, low, high = defined(one_year(a, n1), one_year(c, n2))
    assert low <= rl <= high


@given(counts, heads, st.integers(min_value=1, max_value=300), heads, st.integers(1, 20))
def test_scaling_both_headcounts_leaves_the_ratio_unchanged(a, n1, c, n2, k):
    base = defined(one_year(a, n1), one_year(c, n2))[0]
    scaled = defined(one_year(a, n1 * k), one_year(c, n2 * k))[0]
    assert math.isclose(base, scaled)


@given(counts, heads, st.integers(min_value=1, max_value=300), heads)
def test_swapping_the_groups_inverts_the_ratio(a, n1, c, n2):
    forward = defined(one_year(a, n1), one_year(c, n2))[0]
    if a:
        backward = defined(one_year(c, n2), one_year(a, n1))[0]
        assert math.isclose(forward * backward, 1.0)
