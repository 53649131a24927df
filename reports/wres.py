"""WRES indicator 3, trust-wide and per ICSU, for one or more years and windows.

``wres_report`` reads every count it needs in four queries (org units, case
entries, historical entries, headcounts) and computes each unit's figures
with ``reports.indicator``. The JSON shape is the one ``wres_report --format
json`` prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .grouping import GROUPS, UnitMap
from .indicator import GroupFigures, Indicator, indicator, window_figures
from .selectors import Counts, formal_entries, headcounts


@dataclass(frozen=True)
class UnitFigures:
    """One unit's indicator 3 for one WRES year and window."""

    org_unit: str
    name: str
    year: int
    window: int
    groups: dict[str, GroupFigures]
    # Each group's entries per year of the window, oldest first (suppression
    # needs them: a two-year mean and one year's count give the other year's).
    yearly: dict[str, list[int]]
    indicator: Indicator

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"org_unit": self.org_unit, "year": self.year, "window": self.window}
        for group in GROUPS:
            figures = self.groups[group]
            data[group.value] = {
                "headcount": figures.headcount,
                "entered": number(figures.entered),
                "rate": figures.rate,
            }
        data["relative_likelihood"] = self.indicator.relative_likelihood
        data["ci95_low"] = self.indicator.ci95_low
        data["ci95_high"] = self.indicator.ci95_high
        data["non_adverse"] = self.indicator.non_adverse
        return data


def number(value: Fraction) -> int | float:
    """A whole number as int, a mean such as 8.5 as float."""
    return int(value) if value.denominator == 1 else float(value)


def wres_report(*, years: Iterable[int], windows: Iterable[int]) -> list[UnitFigures]:
    """Figures for every (year, window), each with the trust first and then
    each ICSU by code, in that order."""
    years, windows = sorted(set(years)), sorted(set(windows))
    if not years or not windows or min(windows) < 1:
        raise ValueError("Ask for at least one year and windows of at least one year.")
    units = UnitMap()
    first = years[0] - windows[-1] + 1
    entries = formal_entries(units, first, years[-1])
    heads = headcounts(units, years[0], years[-1])
    names = units.names()
    return [
        _unit_figures(code, names[code], year, window, entries, heads)
        for year in years
        for window in windows
        for code in units.codes()
    ]


def _unit_figures(
    code: str, name: str, year: int, window: int, entries: Counts, heads: Counts
) -> UnitFigures:
    span = range(year - window + 1, year + 1)
    yearly = {g.value: [entries[(code, y, g.value)] for y in span] for g in GROUPS}
    groups = {
        g.value: window_figures(yearly[g.value], heads[(code, year, g.value)]) for g in GROUPS
    }
    return UnitFigures(
        org_unit=code,
        name=name,
        year=year,
        window=window,
        groups=groups,
        yearly=yearly,
        indicator=indicator(groups["bme"], groups["white"]),
    )
