"""Which of a trust's governance-pack figures the region sees, and how they
are read back for the regional pack. Pure functions: no database.

The figures are taken from the trust's own ``reports.pack.Pack`` (built by
``governance_pack``, suppressed), never recomputed: the regional pack equals
the trust's own report by construction. Only trust-wide figures are shared
(no ICSU), and the region publishes no total across trusts, so no sum of
shared figures can uncover a count a trust suppressed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reports.grouping import TRUST
from reports.pack import DIVERSIONS, FUNNEL_GROUPS, Figure, IndicatorRow, Pack

from .models import FUNNEL, INDICATOR

INDICATOR_GROUPS = ("white", "bme", "unknown")
WINDOWS = (1, 2)
GROUP_MEASURES = ("entered", "headcount", "rate")
RATIO_MEASURES = ("relative_likelihood", "ci95_low", "ci95_high", "non_adverse")
# The funnel's counts the diversion rates are read beside.
FUNNEL_COUNTS = ("submitted", "reached_panel", "formal")
FORMAL_SHARE = "formal_share"
# Whole numbers: read back as int (a two-year "entered" is a mean, maybe x.5).
COUNT_MEASURES = frozenset({"entered", "headcount", *FUNNEL_COUNTS})


def diversion_measure(base: str) -> str:
    """The stored name of the diversion rate at the step ``base``."""
    return f"diverted_from_{base}"


DIVERSION_MEASURES: tuple[tuple[str, str], ...] = tuple(
    (diversion_measure(base), label) for label, base, _ in DIVERSIONS
)
FUNNEL_MEASURES = (*FUNNEL_COUNTS, *(m for m, _ in DIVERSION_MEASURES), FORMAL_SHARE)

Key = tuple[str, int, str, str]  # (section, window, group, measure)


@dataclass(frozen=True)
class Shared:
    """One figure as it leaves the trust: its value, or None when suppressed."""

    section: str
    window: int
    group: str
    measure: str
    value: float | None
    suppressed: bool

    @property
    def key(self) -> Key:
        return (self.section, self.window, self.group, self.measure)


def shared_figure(key: Key, figure: Figure) -> Shared:
    # The suppressed value stays in the trust: only the fact of suppression leaves.
    value = None if figure.hidden or figure.value is None else float(figure.value)
    return Shared(*key, value=value, suppressed=figure.hidden)


def shared_figures(pack: Pack) -> list[Shared]:
    """The trust-wide figures of ``pack`` for its year that the region sees:
    indicator 3 in both windows (each group's entries, headcount and rate;
    the ratio, its interval and the non-adverse flag) and the funnel's
    counts, diversion rates and share entering formal, per group."""
    if not pack.suppressed:
        raise ValueError("Only a suppressed pack's figures may be shared.")
    return [*_indicator(pack), *_funnel(pack)]


def trust_rows(pack: Pack) -> dict[int, IndicatorRow]:
    """The pack's trust-wide indicator rows for its year, by window."""
    rows = {r.window: r for r in pack.trend if r.org_unit == TRUST and r.year == pack.year}
    missing = set(WINDOWS) - set(rows)
    if missing:
        raise ValueError(f"The pack has no trust-wide row for windows {sorted(missing)}.")
    return rows


def _indicator(pack: Pack) -> Iterator[Shared]:
    for window, row in sorted(trust_rows(pack).items()):
        for g in INDICATOR_GROUPS:
            figures = row.groups[g]
            for measure in GROUP_MEASURES:
                yield shared_figure((INDICATOR, window, g, measure), getattr(figures, measure))
        for measure in RATIO_MEASURES[:3]:
            yield shared_figure((INDICATOR, window, "", measure), getattr(row, measure))
        hidden = row.relative_likelihood.hidden
        flag = None if row.non_adverse is None else int(row.non_adverse)
        yield shared_figure((INDICATOR, window, "", "non_adverse"), Figure(flag, hidden))


def _funnel(pack: Pack) -> Iterator[Shared]:
    trust = next(f for f in pack.funnel if f.org_unit == TRUST)
    for g in FUNNEL_GROUPS:
        cell = trust.groups[g]
        for measure in FUNNEL_COUNTS:
            yield shared_figure((FUNNEL, 0, g, measure), cell.counts[measure])
        for label, base, _ in DIVERSIONS:
            yield shared_figure((FUNNEL, 0, g, diversion_measure(base)), cell.diversion[label])
        yield shared_figure((FUNNEL, 0, g, FORMAL_SHARE), cell.formal_share)


def figure_of(measure: str, value: float | None, suppressed: bool) -> Figure:
    """A stored figure as a ``reports.pack.Figure``, so that the regional pack
    prints it exactly as the trust's own pack does."""
    if suppressed:
        return Figure(None, True)
    shown: Any = value
    if value is not None and measure in COUNT_MEASURES and float(value).is_integer():
        shown = int(value)
    return Figure(shown)
