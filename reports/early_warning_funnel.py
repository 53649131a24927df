"""The early warning's funnel plot (docs/early-warning.md, "The funnel plot").

Each unit (or manager) is a point: its number of counted referrals *n*
across, the share of them that were of BME staff *x/n* up. The funnel is
drawn around one target for everyone, *p0*: the trust-wide BME share of the
white + BME headcount in the snapshot the early warning uses (the latest
on or before *as-at*). Its limits are Spiegelhalter's exact binomial
control limits (Statistics in Medicine 2005; 24:1185-1202, appendix A.1.1),
for every *n* from 1 to the largest *n* plotted:

* for a probability *q*, r_q is the smallest *r* with P(X <= r) >= q for
  X ~ Bin(n, p0);
* alpha = (P(X <= r_q) - q) / (P(X <= r_q) - P(X <= r_q - 1));
* the limit is (r_q - alpha) / n.

q = 0.025 and 0.975 give the 95% limits, 0.001 and 0.999 the 99.8% limits.
The upper limits sit where the one-sided tails of the early warning's bands
sit (0.025 for ``warning``, 0.001 for ``alert``), but around *p0*, not
around each unit's own workforce share: see ``funnel_position``.

The limits are computed in floating point (log-probabilities, so that a
large *n* does not underflow): they are drawn, not tested against.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from django.db.models import Max, Sum

from .grouping import group_expression
from .models import Headcount

# (lower, upper) cumulative probabilities of each pair of limits.
LIMITS_95 = (0.025, 0.975)
LIMITS_998 = (0.001, 0.999)
PROBABILITIES = (LIMITS_998[0], LIMITS_95[0], LIMITS_95[1], LIMITS_998[1])

ABOVE_998 = "above the 99.8% limit"
ABOVE_95 = "above the 95% limit"
INSIDE = "inside the 95% limits"
BELOW_95 = "below the 95% limit"
BELOW_998 = "below the 99.8% limit"


@dataclass(frozen=True)
class Limits:
    """The four control limits at one *n*, as proportions."""

    n: int
    low_998: float
    low_95: float
    high_95: float
    high_998: float


def control_limit(n: int, p0: float, q: float) -> float:
    """Spiegelhalter's exact binomial *q* control limit for a proportion at
    ``n`` around ``p0`` (see the module's docstring). With p0 = 0 or 1 every
    limit is p0: there is no spread to draw."""
    if not 0 < q < 1:
        raise ValueError("q must lie strictly between 0 and 1")
    return _limits(n, p0, (q,))[0]


def limits_at(n: int, p0: float) -> Limits:
    """All four limits at ``n``, from one pass over the distribution."""
    return Limits(n, *_limits(n, p0, PROBABILITIES))


def _limits(n: int, p0: float, qs: tuple[float, ...]) -> list[float]:
    """The limits for the ascending probabilities ``qs``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if p0 <= 0 or p0 >= 1:
        return [float(min(max(p0, 0), 1))] * len(qs)
    found: list[float] = []
    wanted = list(qs)
    start = _first_counted(n, p0)
    below = at = 0.0
    for r, mass in _masses(n, p0, start):
        below, at = at, at + mass
        while wanted and at >= wanted[0]:
            q = wanted.pop(0)
            alpha = (at - q) / (at - below) if at > below else 0.0
            found.append(min(max((r - alpha) / n, 0.0), 1.0))
        if not wanted:
            break
    # Rounding can leave the total a hair under q: the top of the range.
    return found + [1.0] * len(wanted)


# Below this many standard deviations under the mean the binomial's mass is
# far under 1e-12 (Chernoff's bound), so the walk starts there: a limit then
# costs about the square root of n steps, not n.
_SKIPPED_SD = 10


def _first_counted(n: int, p0: float) -> int:
    sd = math.sqrt(n * p0 * (1 - p0))
    return max(0, math.floor(n * p0 - _SKIPPED_SD * sd - 1))


def _masses(n: int, p0: float, start: int) -> Iterator[tuple[int, float]]:
    """(k, P(X = k)) for k = start..n, X ~ Bin(n, p0): the first through
    log-gamma (no underflow at a large n), the rest by the ratio of terms
    (the first is at least about e^-50 when the walk starts away from 0)."""
    ratio = p0 / (1 - p0)
    mass = math.exp(
        math.lgamma(n + 1)
        - math.lgamma(start + 1)
        - math.lgamma(n - start + 1)
        + start * math.log(p0)
        + (n - start) * math.log1p(-p0)
    )
    for k in range(start, n + 1):
        yield k, mass
        mass *= (n - k) / (k + 1) * ratio


@lru_cache(maxsize=64)
def funnel_limits(p0: float, n_max: int) -> tuple[Limits, ...]:
    """The limits at every n from 1 to ``n_max`` (none when it is under 1).

    Kept per process for the same target and length: the pages draw the
    same funnel for every viewer of one snapshot."""
    return tuple(limits_at(n, p0) for n in range(1, n_max + 1))


def funnel_position(n: int, bme: int, limits: Limits) -> str:
    """Where the point (n, bme/n) lies against the funnel at its n.

    A point on a limit is inside it. This is a position against the trust-wide
    target; the row's band tests against the unit's own workforce share, and
    the two can differ (docs/early-warning.md)."""
    share = bme / n
    if share > limits.high_998:
        return ABOVE_998
    if share > limits.high_95:
        return ABOVE_95
    if share < limits.low_998:
        return BELOW_998
    if share < limits.low_95:
        return BELOW_95
    return INSIDE


# --- the read --------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The funnel's target: the trust-wide BME share of white + BME headcount
    in ``snapshot`` (None, and ``p0`` None, when there is no snapshot or no
    white or BME headcount in it)."""

    snapshot: dt.date | None
    white: int
    bme: int

    @property
    def p0(self) -> Fraction | None:
        total = self.white + self.bme
        return Fraction(self.bme, total) if total else None


def funnel_target(as_at: dt.date) -> Target:
    """The current trust's target at ``as_at``: every headcount row of the
    latest snapshot on or before it, the trust's own rows included."""
    latest = Headcount.objects.filter(as_at__lte=as_at).aggregate(d=Max("as_at"))["d"]
    if latest is None:
        return Target(None, 0, 0)
    counts = dict(
        Headcount.objects.filter(as_at=latest)
        .annotate(group=group_expression("ethnic_category"))
        .values("group")
        .annotate(h=Sum("headcount"))
        .order_by()
        .values_list("group", "h")
    )
    return Target(latest, int(counts.get("white") or 0), int(counts.get("bme") or 0))
