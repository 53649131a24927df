"""WRES indicator 3 arithmetic: pure functions over counts, no database.

The relative likelihood of BME staff entering the formal disciplinary process
compared to white staff = (BME entries / BME headcount) / (white entries /
white headcount), always from raw counts (docs/domain/wres-indicator-3.md: 9/725 / 17/2,505 = 1.83;
rounded percentages would give 1.7). Staff of unknown ethnicity are in
neither rate; their counts are always reported beside them.

95% confidence interval: the log (Katz) method for a ratio of two
proportions. With a BME count a of n1 and a white count c of n2,
    ln(RR) +/- 1.96 * sqrt(1/a - 1/n1 + 1/c - 1/n2).
Zero counts, where the log method is undefined:
* no white entries (c = 0): the ratio is infinite or 0/0, so the relative
  likelihood, both bounds and the non-adverse flag are null (undefined);
* no BME entries but some white (a = 0, c > 0): the ratio is 0, the lower
  bound is 0, and the upper bound is the log interval after the
  Haldane-Anscombe correction (0.5 added to each cell of the 2x2 table,
  i.e. a + 0.5 of n1 + 1 and c + 0.5 of n2 + 1);
* a headcount of zero, or entries above the headcount (bad data): every
  figure that needs it is null.
The non-adverse range is NHS England's 0.80-1.25 inclusive (four-fifths rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
# Exact, so that a ratio of exactly 4/5 or 5/4 is inside the range.
NON_ADVERSE_LOW = Fraction(4, 5)
NON_ADVERSE_HIGH = Fraction(5, 4)


@dataclass(frozen=True)
class GroupFigures:
    """One ethnic group's headcount and entries in a window.

    ``entered`` is what the report shows (the mean yearly entries over the
    window); ``events`` and ``exposure`` are the pooled count and
    person-years the confidence interval is computed from."""

    headcount: int
    entered: Fraction
    events: int
    exposure: int

    @property
    def rate(self) -> float | None:
        """Entries per head; None without a headcount."""
        return float(self.entered / self.headcount) if self.headcount else None


def window_figures(entered_per_year: list[int], headcount: int) -> GroupFigures:
    """THE window method, in one place so it can change if NHS England's
    published guidance says otherwise.

    One year: that year's entries over the headcount at 31 March ending it.
    Two years (NHS England's rolling average, as we understand it): the mean
    yearly entries over the previous and the current WRES years, over the
    headcount at the 31 March ending the current year. The confidence
    interval pools the years: all the entries over headcount x years
    person-years, which gives the same ratio as the means."""
    years = len(entered_per_year)
    if years < 1:
        raise ValueError("A window has at least one year.")
    total = sum(entered_per_year)
    return GroupFigures(
        headcount=headcount,
        entered=Fraction(total, years),
        events=total,
        exposure=headcount * years,
    )


@dataclass(frozen=True)
class Indicator:
    relative_likelihood: float | None
    ci95_low: float | None
    ci95_high: float | None
    non_adverse: bool | None


UNDEFINED = Indicator(None, None, None, None)


def indicator(bme: GroupFigures, white: GroupFigures) -> Indicator:
    """The relative likelihood BME / white, its 95% interval and whether it
    lies in the non-adverse range (see the module docstring for zero counts)."""
    a, n1, c, n2 = bme.events, bme.exposure, white.events, white.exposure
    if n1 <= 0 or n2 <= 0 or c <= 0 or a > n1 or c > n2:
        return UNDEFINED
    ratio = (Fraction(a) / n1) / (Fraction(c) / n2)
    rr = float(ratio)
    if a == 0:
        _, high = _katz(a + 0.5, n1 + 1, c + 0.5, n2 + 1)
        low = 0.0
    else:
        low, high = _katz(a, n1, c, n2)
    return Indicator(rr, low, high, NON_ADVERSE_LOW <= ratio <= NON_ADVERSE_HIGH)


def _katz(a: float, n1: float, c: float, n2: float) -> tuple[float, float]:
    log_rr = math.log((a / n1) / (c / n2))
    se = math.sqrt(max(0.0, 1 / a - 1 / n1 + 1 / c - 1 / n2))
    return math.exp(log_rr - Z95 * se), math.exp(log_rr + Z95 * se)
