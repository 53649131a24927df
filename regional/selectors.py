"""Reads of the regional benchmark: only the regional tables, never a trust's own.

Everything here reads the stored, already-suppressed figures of the trusts
that share with the region (``Trust.shares_with_region``); a trust that
stops sharing disappears from the pack at once, before the next refresh
removes its rows. A page costs two queries whatever the number of trusts
(the benchmarks with their trusts, and their figures).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from accounts.types import Viewer
from reports.pack import Figure
from speakup.report import ETHNIC_GROUPS, MEASURE_LABELS, Quarter

from .figures import (
    BANDS,
    DIVERSION_MEASURES,
    FORMAL_SHARE,
    FTSU_MEASURES,
    FUNNEL_COUNTS,
    GROUP_MEASURES,
    INDICATOR_GROUPS,
    UNITS_TOTAL,
    WARNING_LEVELS,
    WINDOWS,
    Key,
    figure_of,
)
from .models import EARLY_WARNING, FTSU, FUNNEL, INDICATOR, TrustBenchmark
from .services import VIEW_PERMISSION

FUNNEL_GROUP_LABELS = (("white", "White"), ("bme", "BME"), ("unknown", "Unknown"), ("all", "All"))


def can_see_regional(user: Viewer) -> bool:
    """Regional viewers only: the deployment-wide group's permission. A
    superuser holds no product role (the admin is for reference data), so
    Django's superuser pass does not count here."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_superuser
        and user.has_perm(VIEW_PERMISSION)
    )


@dataclass(frozen=True)
class GroupCells:
    entered: Figure
    headcount: Figure
    rate: Figure


@dataclass(frozen=True)
class IndicatorCells:
    window: int
    groups: dict[str, GroupCells]
    relative_likelihood: Figure
    ci95_low: Figure
    ci95_high: Figure
    non_adverse: Figure  # 1 yes, 0 no, None undefined

    @property
    def flag(self) -> str:
        if self.non_adverse.hidden:
            return "suppressed"
        if self.non_adverse.value is None:
            return "n/a"
        return "yes" if self.non_adverse.value else "no"


@dataclass(frozen=True)
class FunnelCells:
    group: str
    label: str
    counts: dict[str, Figure]
    diversions: list[tuple[str, Figure]]  # (step label, share diverted)
    formal_share: Figure


@dataclass(frozen=True)
class WarningCells:
    """How many units of one level are in each early-warning band, and in all."""

    level: str
    label: str
    bands: list[tuple[str, Figure]]
    total: Figure


@dataclass(frozen=True)
class FtsuCells:
    """The trust's FTSU counts for one quarter: (group, measure, label, figure),
    as stored (the ethnic groups are groups of the measure ``total``)."""

    quarter: Quarter
    figures: list[tuple[str, str, str, Figure]]


@dataclass(frozen=True)
class TrustRow:
    code: str
    name: str
    trust_id: int
    computed_at: dt.datetime
    threshold: int
    funnel_start: dt.date
    funnel_end: dt.date
    indicator: dict[int, IndicatorCells]
    funnel: list[FunnelCells]
    figures: dict[Key, Figure] = field(repr=False)
    # None for a row stored before the early warning and FTSU were shared.
    early_warning_as_at: dt.date | None = None
    early_warning: list[WarningCells] = field(default_factory=list)
    ftsu: FtsuCells | None = None


@dataclass(frozen=True)
class RegionalPack:
    year: int
    rows: list[TrustRow]

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def indicator_tables(self) -> list[tuple[int, list[tuple[TrustRow, IndicatorCells]]]]:
        """Per window, each trust's row with its indicator figures (the page's tables)."""
        return [(w, [(r, r.indicator[w]) for r in self.rows]) for w in WINDOWS]

    @property
    def trust_ids(self) -> list[int]:
        return [r.trust_id for r in self.rows]

    @property
    def ftsu_columns(self) -> list[str]:
        """The FTSU table's column labels, in the order of ``FtsuCells.figures``."""
        return [MEASURE_LABELS[m] for m in (*FTSU_MEASURES, *ETHNIC_GROUPS)]

    @property
    def warning_bands(self) -> tuple[str, ...]:
        return BANDS


def regional_years() -> list[int]:
    """The WRES years with figures from at least one sharing trust, latest first."""
    years = (
        TrustBenchmark.objects.filter(trust__shares_with_region=True)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return list(years)


def regional_pack(*, year: int) -> RegionalPack:
    """Every sharing trust's stored figures for WRES ``year``, one row per
    trust, ordered by the trust's name (never by a figure: a rank without
    its interval would mislead)."""
    benchmarks = (
        TrustBenchmark.objects.filter(year=year, trust__shares_with_region=True)
        .select_related("trust")
        .prefetch_related("figures")
        .order_by("trust__name", "trust__code")
    )
    return RegionalPack(year, [_row(b) for b in benchmarks])


def _row(benchmark: TrustBenchmark) -> TrustRow:
    figures = {
        (f.section, f.window, f.group, f.measure): figure_of(f.measure, f.value, f.suppressed)
        for f in benchmark.figures.all()
    }
    trust = benchmark.trust
    return TrustRow(
        code=trust.code,
        name=trust.name,
        trust_id=trust.pk,
        computed_at=benchmark.computed_at,
        threshold=benchmark.threshold,
        funnel_start=benchmark.funnel_start,
        funnel_end=benchmark.funnel_end,
        indicator={w: _indicator(figures, w) for w in WINDOWS},
        funnel=[_funnel(figures, g, label) for g, label in FUNNEL_GROUP_LABELS],
        figures=figures,
        early_warning_as_at=benchmark.early_warning_as_at,
        early_warning=_early_warning(figures) if benchmark.early_warning_as_at else [],
        ftsu=_ftsu(figures, benchmark),
    )


def _get(figures: dict[Key, Figure], key: Key) -> Figure:
    # A figure missing from a stored benchmark (written before a measure was
    # added) is shown as not available, never as a number.
    return figures.get(key, Figure(None))


def _indicator(figures: dict[Key, Figure], window: int) -> IndicatorCells:
    def ratio(measure: str) -> Figure:
        return _get(figures, (INDICATOR, window, "", measure))

    groups = {
        g: GroupCells(*(_get(figures, (INDICATOR, window, g, m)) for m in GROUP_MEASURES))
        for g in INDICATOR_GROUPS
    }
    return IndicatorCells(
        window=window,
        groups=groups,
        relative_likelihood=ratio("relative_likelihood"),
        ci95_low=ratio("ci95_low"),
        ci95_high=ratio("ci95_high"),
        non_adverse=ratio("non_adverse"),
    )


def _funnel(figures: dict[Key, Figure], group: str, label: str) -> FunnelCells:
    def get(measure: str) -> Figure:
        return _get(figures, (FUNNEL, 0, group, measure))

    return FunnelCells(
        group=group,
        label=label,
        counts={m: get(m) for m in FUNNEL_COUNTS},
        diversions=[(step, get(m)) for m, step in DIVERSION_MEASURES],
        formal_share=get(FORMAL_SHARE),
    )


def _early_warning(figures: dict[Key, Figure]) -> list[WarningCells]:
    return [
        WarningCells(
            level=level,
            label=label,
            bands=[(band, _get(figures, (EARLY_WARNING, 0, level, band))) for band in BANDS],
            total=_get(figures, (EARLY_WARNING, 0, level, UNITS_TOTAL)),
        )
        for level, label in WARNING_LEVELS
    ]


def _ftsu(figures: dict[Key, Figure], benchmark: TrustBenchmark) -> FtsuCells | None:
    if benchmark.ftsu_year is None or benchmark.ftsu_quarter is None:
        return None
    cells = [("", m, MEASURE_LABELS[m], _get(figures, (FTSU, 0, "", m))) for m in FTSU_MEASURES]
    cells += [
        (g, "total", MEASURE_LABELS[g], _get(figures, (FTSU, 0, g, "total"))) for g in ETHNIC_GROUPS
    ]
    return FtsuCells(Quarter(benchmark.ftsu_year, benchmark.ftsu_quarter), cells)
