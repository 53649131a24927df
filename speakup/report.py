"""The FTSU quarterly figures: ``ftsu_report``, the governance pack's FTSU
section and the figures a trust shares with the region (docs/speak-up-data.md).

Counts only: nothing here reads a concern's text, its topic, its reporter or
its messages, and nothing it returns names or describes one concern.

* **Quarters** are NHS quarters of the year starting 1 April: Q1 April-June,
  Q2 July-September, Q3 October-December of year Y, Q4 January-March of Y+1.
  A concern counts in the quarter of its ``received_on``, both ends inclusive,
  whether raised in the product or imported.
* **Units.** A concern logged against a department counts for its ICSU, one
  logged against an ICSU for that ICSU, and one logged against no unit (or
  against the trust itself) for the trust only. Every ICSU is listed, with
  zeros when it has no concerns.
* **Ethnicity** is the reporter's own description, grouped as the WRES groups
  it (``staff.ethnicity.wres_group``): no ethnic category is ``unknown``.

The database does the counting: one query for the units and one for the
concerns, whatever the number of concerns or quarters.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.safestring import SafeString

from reports.charts import Bar, bar_chart
from reports.grouping import TRUST, UnitMap, group_expression
from reports.pack import Figure
from reports.suppression import Key, Relation, suppress
from tenancy.policy import trust_policy

from .models import CATEGORIES, Concern, Route

FLAGS: tuple[str, ...] = tuple(name for name, _ in CATEGORIES)
ETHNIC_GROUPS = ("white", "bme", "unknown")
MEASURES: tuple[str, ...] = ("total", "anonymous", *FLAGS, *ETHNIC_GROUPS)
# The trend shows the trust's totals only.
TREND_MEASURES: tuple[str, ...] = ("total", "anonymous", *ETHNIC_GROUPS)
TREND_QUARTERS = 8
CHOICE_QUARTERS = 12
OUTSIDE = "~outside"  # concerns logged against no ICSU: in the trust's figures only
MEASURE_LABELS: dict[str, str] = {
    "total": "All concerns",
    "anonymous": "Raised anonymously",
    **dict(CATEGORIES),
    "white": "White",
    "bme": "BME",
    "unknown": "Ethnicity unknown",
}
_FIRST_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}


# --- quarters --------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    """An NHS quarter: ``year`` is the year starting 1 April, ``quarter`` 1 to 4."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if self.quarter not in _FIRST_MONTH:
            raise ValueError("A quarter is 1, 2, 3 or 4.")

    @property
    def start(self) -> dt.date:
        calendar_year = self.year + 1 if self.quarter == 4 else self.year
        return dt.date(calendar_year, _FIRST_MONTH[self.quarter], 1)

    @property
    def end(self) -> dt.date:
        """The quarter's last day (inclusive)."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)
        )

    @property
    def code(self) -> str:
        """``2025-Q3``: how the pack's form and the downloads name it."""
        return f"{self.year}-Q{self.quarter}"

    @property
    def label(self) -> str:
        """``Q3 2025/26 (Oct-Dec 2025)``."""
        span = f"{self.start:%b}-{self.end:%b %Y}"
        return f"Q{self.quarter} {self.year}/{(self.year + 1) % 100:02d} ({span})"

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        """The quarter ``day`` falls in."""
        year = day.year if day.month >= 4 else day.year - 1
        return cls(year, (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def latest_complete(cls, today: dt.date | None = None) -> Quarter:
        """The last quarter that has ended before ``today`` (default: today)."""
        return cls.of(today or timezone.localdate()).previous()

    @classmethod
    def parse(cls, code: str) -> Quarter:
        """``2025-Q3`` -> Quarter(2025, 3); ValueError for anything else."""
        year, _, number = code.partition("-Q")
        if not (year.isascii() and year.isdigit() and number in ("1", "2", "3", "4")):
            raise ValueError(f"{code!r} is not a quarter written as YYYY-Qn.")
        return cls(int(year), int(number))


def quarters_ending(last: Quarter, count: int) -> list[Quarter]:
    """``count`` quarters, oldest first, ending with ``last``."""
    out = [last]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]


def ftsu_quarter_choices() -> list[tuple[str, str]]:
    """The pack form's choices: the latest complete quarter (blank), then the
    last twelve complete quarters, newest first."""
    latest = Quarter.latest_complete()
    recent = quarters_ending(latest, CHOICE_QUARTERS)[::-1]
    return [("", "Latest complete quarter"), *((q.code, q.label) for q in recent)]


# --- counting --------------------------------------------------------------------

# (quarter, unit code or TRUST or OUTSIDE) -> measure -> count
Counts = dict[tuple[Quarter, str], Counter[str]]


def _quarter_expression(quarters: list[Quarter]) -> Case:
    """SQL: the index in ``quarters`` (consecutive, oldest first) of ``received_on``;
    callers filter ``received_on`` to the quarters' span first."""
    whens = [
        When(received_on__lt=q.next().start, then=Value(i)) for i, q in enumerate(quarters[:-1])
    ]
    return Case(*whens, default=Value(len(quarters) - 1), output_field=IntegerField())


def ftsu_counts(quarters: list[Quarter], units: UnitMap | None = None) -> tuple[Counts, UnitMap]:
    """Every measure for the trust, each ICSU and the concerns outside any ICSU,
    in each of ``quarters`` (consecutive, oldest first), from one query."""
    units = units or UnitMap()
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "anonymous": Count("id", filter=Q(route=Route.ANONYMOUS)),
        **{flag: Count("id", filter=Q(**{flag: True})) for flag in FLAGS},
    }
    # The grouped rows, typed loosely: the aggregates' names are built above.
    rows = cast(
        Iterable[dict[str, Any]],
        Concern.objects.filter(
            received_on__gte=quarters[0].start, received_on__lte=quarters[-1].end
        )
        .order_by()
        .values(
            "org_unit_id",
            slot=_quarter_expression(quarters),
            group=group_expression("ethnic_category"),
        )
        .annotate(**aggregates),
    )
    counts: Counts = {(q, unit): Counter() for q in quarters for unit in (*units.codes(), OUTSIDE)}
    for row in rows:
        quarter = quarters[row["slot"]]
        icsu = units.icsu_of(row["org_unit_id"]) if row["org_unit_id"] else None
        for unit in (TRUST, icsu or OUTSIDE):
            cell = counts[(quarter, unit)]
            for measure in aggregates:
                cell[measure] += row[measure]
            cell[row["group"]] += row["total"]
    return counts, units


@dataclass(frozen=True)
class QuarterCounts:
    """One line of ``ftsu_report``: a unit's counts in a quarter."""

    org_unit: str
    name: str
    quarter: Quarter
    counts: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        c = self.counts
        return {
            "org_unit": self.org_unit,
            "year": self.quarter.year,
            "quarter": self.quarter.quarter,
            "total": c["total"],
            "anonymous": c["anonymous"],
            "categories": {flag: c[flag] for flag in FLAGS},
            "by_ethnicity": {g: c[g] for g in ETHNIC_GROUPS},
        }


def ftsu_report(quarter: Quarter) -> list[QuarterCounts]:
    """The quarter's counts: the trust first, then each ICSU by code (every
    ICSU, even with none). Unsuppressed: for the guardian's quarterly return."""
    counts, units = ftsu_counts([quarter])
    names = {u.code: u.name for u in units.icsus}
    return [
        QuarterCounts(
            org_unit=code,
            name=names.get(code, "Trust-wide"),
            quarter=quarter,
            counts={m: counts[(quarter, code)][m] for m in MEASURES},
        )
        for code in units.codes()
    ]


# --- the governance pack's section --------------------------------------------------


@dataclass(frozen=True)
class FtsuRow:
    org_unit: str
    name: str
    figures: dict[str, Figure]

    @property
    def cells(self) -> list[tuple[str, Figure]]:
        """(measure, figure) in the table's column order."""
        return [(m, self.figures[m]) for m in MEASURES]


@dataclass(frozen=True)
class TrendRow:
    quarter: Quarter
    figures: dict[str, Figure]

    @property
    def cells(self) -> list[tuple[str, Figure]]:
        return [(m, self.figures[m]) for m in TREND_MEASURES]


@dataclass
class FtsuSection:
    quarter: Quarter
    threshold: int
    suppressed: bool
    rows: list[FtsuRow] = field(default_factory=list)  # the trust, then each ICSU
    trend: list[TrendRow] = field(default_factory=list)  # oldest first, ending with ``quarter``
    hidden_count: int = 0

    @property
    def columns(self) -> list[tuple[str, str]]:
        return [(m, MEASURE_LABELS[m]) for m in MEASURES]

    @property
    def trend_columns(self) -> list[tuple[str, str]]:
        return [(m, MEASURE_LABELS[m]) for m in TREND_MEASURES]

    @property
    def trust(self) -> FtsuRow:
        return self.rows[0]

    @property
    def chart(self) -> SafeString:
        return ftsu_trend_chart(self)


def ftsu_pack_section(
    *, quarter: Quarter | str | None = None, suppressed: bool = True
) -> FtsuSection:
    """The pack's FTSU section for ``quarter`` (a Quarter, its code ``2025-Q3``,
    or None for the latest complete quarter): every ICSU's counts in the
    quarter and the trust's totals over the eight quarters ending with it.
    ``suppressed`` applies the trust's small-cell rule (``_suppression``)."""
    if not isinstance(quarter, Quarter):
        quarter = Quarter.parse(quarter) if quarter else Quarter.latest_complete()
    threshold = trust_policy().report_suppression_threshold
    quarters = quarters_ending(quarter, TREND_QUARTERS)
    counts, units = ftsu_counts(quarters)
    values, relations, published = suppression_cells(counts, units, quarters)
    hidden: set[Key] = set()
    if suppressed:
        hidden = suppress(values, relations, published=published, threshold=threshold)
    section = FtsuSection(quarter, threshold, suppressed, hidden_count=len(hidden))
    names = {u.code: u.name for u in units.icsus}

    def fig(q: Quarter, unit: str, measure: str) -> Figure:
        key = (q, unit, measure)
        return Figure(values[key], key in hidden)

    for code in units.codes():
        figures = {m: fig(quarter, code, m) for m in MEASURES}
        section.rows.append(FtsuRow(code, names.get(code, "Trust-wide"), figures))
    for q in quarters:
        section.trend.append(TrendRow(q, {m: fig(q, TRUST, m) for m in TREND_MEASURES}))
    return section


def ftsu_export_rows(section: FtsuSection) -> Iterator[tuple[Any, ...]]:
    """The section as the governance pack's downloads hold it (the columns of
    ``reports.exports.HEADER``): every ICSU's counts in the quarter, then the
    trust's trend, suppressed as the section is."""
    code = section.quarter.code
    for row in section.rows:
        for measure, figure in row.cells:
            label = MEASURE_LABELS[measure]
            yield ("ftsu_by_icsu", row.org_unit, row.name, code, "", "", label, figure.export())
    for trend in section.trend:
        for measure, figure in trend.cells:
            label = MEASURE_LABELS[measure]
            yield ("ftsu_trend", "", "Trust", trend.quarter.code, "", "", label, figure.export())


def suppression_cells(
    counts: Counts, units: UnitMap, quarters: list[Quarter]
) -> tuple[dict[Key, int], list[Relation], set[Key]]:
    """The suppression rule's inputs: every count keyed (quarter, unit, measure);
    what is published (the chosen quarter's trust and ICSU rows, the trust's
    trend); and the additive relations a reader could add and subtract along:

    * within each unit and quarter, all concerns = white + BME + unknown;
    * in the chosen quarter, for every measure, the trust = its ICSUs + the
      concerns outside any ICSU (never published, so protected when small).

    A concern may carry several categories, so the categories are not parts
    of the total; none is derived from another."""
    chosen = quarters[-1]
    all_units = [*units.codes(), OUTSIDE]
    values: dict[Key, int] = {
        (q, unit, m): counts[(q, unit)][m] for q in quarters for unit in all_units for m in MEASURES
    }
    published = {(chosen, unit, m) for unit in units.codes() for m in MEASURES}
    published |= {(q, TRUST, m) for q in quarters for m in TREND_MEASURES}
    relations = [
        Relation((q, unit, "total"), tuple((q, unit, g) for g in ETHNIC_GROUPS))
        for q in quarters
        for unit in all_units
    ]
    parts = [*(u.code for u in units.icsus), OUTSIDE]
    relations += [
        Relation((chosen, TRUST, m), tuple((chosen, unit, m) for unit in parts)) for m in MEASURES
    ]
    return values, relations, published


def ftsu_trend_chart(section: FtsuSection) -> SafeString:
    """The trend as grouped bars: one group per quarter, one bar per ethnic group."""
    rows = []
    for row in section.trend:
        bars = [
            Bar(MEASURE_LABELS[g], row.figures[g], text=row.figures[g].text())
            for g in ETHNIC_GROUPS
        ]
        rows.append(
            (f"Q{row.quarter.quarter} {row.quarter.year}/{(row.quarter.year + 1) % 100:02d}", bars)
        )
    return bar_chart(
        title="Concerns raised with the Freedom to Speak Up guardians, trust-wide, by quarter",
        desc=(
            "For each of the last eight quarters, the concerns received from white staff, BME "
            "staff and staff whose ethnicity is unknown. The table after the chart gives every "
            "count, with all concerns and those raised anonymously."
        ),
        rows=rows,
        scale_max=_scale(row.figures[g] for row in section.trend for g in ETHNIC_GROUPS),
        unit=" concerns",
    )


def _scale(figures: Iterable[Figure]) -> float:
    """A multiple of 4 at least as large as every shown count, so the axis's
    quarter ticks are whole numbers."""
    top = max((float(f.value) for f in figures if not f.hidden and f.value is not None), default=0)
    return float(max(4, 4 * math.ceil(top / 4)))


# --- the region ------------------------------------------------------------------


def ftsu_shared_figures(quarter: Quarter) -> dict[str, Figure]:
    """The trust-wide figures of ``quarter`` as the trust's own pack shows them
    to a governance viewer (suppressed): what the trust shares with the region."""
    return dict(ftsu_pack_section(quarter=quarter, suppressed=True).trust.figures)
