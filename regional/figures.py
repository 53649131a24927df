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

from reports.early_warning import Row as WarningRow
from reports.early_warning import band_of
from reports.grouping import TRUST
from reports.pack import DIVERSIONS, FUNNEL_GROUPS, Figure, IndicatorRow, Pack
from reports.suppression import Relation, suppress
from speakup.report import ETHNIC_GROUPS, FLAGS

from .models import EARLY_WARNING, FTSU, FUNNEL, INDICATOR

INDICATOR_GROUPS = ("white", "bme", "unknown")
WINDOWS = (1, 2)
GROUP_MEASURES = ("entered", "headcount", "rate")
RATIO_MEASURES = ("relative_likelihood", "ci95_low", "ci95_high", "non_adverse")
# The funnel's counts the diversion rates are read beside.
FUNNEL_COUNTS = ("submitted", "reached_panel", "formal")
FORMAL_SHARE = "formal_share"
# The early warning: how many units of each level are in each band (never a
# unit's name, never a manager), and how many units in all.
WARNING_LEVELS = (("icsu", "ICSUs"), ("department", "Departments"))
BANDS = ("alert", "warning", "none", "insufficient")
UNITS_TOTAL = "total"
# FTSU: the trust's counts for the quarter; the ethnic groups are groups.
FTSU_MEASURES = ("total", "anonymous", *FLAGS)
# Whole numbers: read back as int (a two-year "entered" is a mean, maybe x.5).
COUNT_MEASURES = frozenset(
    {"entered", "headcount", *FUNNEL_COUNTS, *BANDS, UNITS_TOTAL, *FTSU_MEASURES}
)


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


def early_warning_figures(rows: list[WarningRow], threshold: int) -> list[Shared]:
    """How many ICSUs and departments are in each band, suppressed with the
    trust's ``threshold`` as the pack suppresses counts: a count from 1 to
    threshold - 1 is hidden, and so is another count of the same level when
    the level's total (also shared) would give it back. Managers are left out."""
    values: dict[tuple[str, str], int] = {}
    for level, _ in WARNING_LEVELS:
        bands = [band_of(row.n, row.tail) for row in rows if row.level == level]
        for band in BANDS:
            values[(level, band)] = bands.count(band)
        values[(level, UNITS_TOTAL)] = len(bands)
    relations = [
        Relation((level, UNITS_TOTAL), tuple((level, band) for band in BANDS))
        for level, _ in WARNING_LEVELS
    ]
    hidden = suppress(values, relations, published=values, threshold=threshold)
    return [
        shared_figure((EARLY_WARNING, 0, level, measure), Figure(value, (level, measure) in hidden))
        for (level, measure), value in values.items()
    ]


def ftsu_figures(trust: dict[str, Figure]) -> list[Shared]:
    """The trust-wide FTSU counts of the quarter, exactly as the trust's own
    pack shows them to a governance viewer (its suppression applied there)."""
    return [
        *(shared_figure((FTSU, 0, "", m), trust[m]) for m in FTSU_MEASURES),
        *(shared_figure((FTSU, 0, g, "total"), trust[g]) for g in ETHNIC_GROUPS),
    ]
