"""The governance pack: indicator 3 by year and by ICSU, suspensions and
restrictions by ethnic group beside it, and the funnel (through the formal
process's outcomes), as the page and its CSV and XLSX downloads present
them (docs/formal-outcomes-and-suspensions-report.md).

Every count is a ``Figure`` that knows whether it is suppressed, so the
page, the charts and the downloads cannot disagree about what is shown.
Rates and ratios are shown only when every count they are computed from is
shown (a rate beside a headcount would otherwise give the count away).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from tenancy.policy import trust_policy
from workflow.models import Stage

from .grouping import TRUST, UnitMap, wres_year_end
from .indicator import GroupFigures, indicator, window_figures
from .selectors import (
    FUNNEL_OUTCOMES,
    INVESTIGATION_MEASURES,
    SANCTION_MEASURES,
    SUSPENSION_KINDS,
    SUSPENSION_MEASURES,
    Counts,
    Lengths,
    funnel_counts,
    suspension_counts,
    suspension_lengths,
)
from .stage_times import STAGES, StageTimes, median_of, stage_times
from .suppression import Key, Relation, suppress
from .wres import UnitFigures, number, wres_report

OUTSIDE = "~outside"  # units in no ICSU: in the trust's figures, never shown alone
FUNNEL_GROUPS = ("white", "bme", "unknown", "all")
FUNNEL_STEPS: tuple[tuple[str, str], ...] = (
    ("submitted", "Submitted"),
    ("redirected", "Redirected to another policy at triage"),
    ("resolved_informally", "Resolved informally"),
    ("withdrawn_before_panel", "Withdrawn before the panel"),
    ("open_before_panel", "Still at triage or informal resolution"),
    ("reached_panel", "Reached the Fair Treatment Panel"),
    ("informal_action", "Panel: informal action"),
    ("mediation", "Panel: mediation"),
    ("other_policy", "Panel: another policy"),
    ("occupational_health", "Panel: occupational health / wellbeing"),
    ("external_referral", "Panel: external referral"),
    ("no_further_action", "Panel: no further action"),
    ("withdrawn_after_panel", "Withdrawn after reaching the panel"),
    ("open_at_panel", "Still at the panel"),
    ("sent_to_signoff", "Panel: formal investigation, sent to sign-off"),
    ("awaiting_signoff", "Awaiting sign-off"),
    ("formal", "Formal investigation commissioned"),
    # The formal process after sign-off (formal/; reports.selectors.formal_measures).
    ("formal_untracked", "Formal: commissioned before its stages were recorded"),
    ("investigating", "Formal: investigation under way"),
    ("inv_no_case", "Investigation concluded: no case to answer"),
    ("inv_informal", "Investigation concluded: informal action"),
    ("inv_hearing", "Investigation concluded: to a disciplinary hearing"),
    ("hearing_pending", "Hearing not yet held"),
    ("hearing_held", "Hearing held"),
    ("sanction_pending", "Hearing held, sanction not yet recorded"),
    ("sanction_none", "Sanction: none"),
    ("sanction_first_written", "Sanction: first written warning"),
    ("sanction_final_written", "Sanction: final written warning"),
    ("sanction_dismissal", "Sanction: dismissal"),
    ("sanction_other", "Sanction: other action"),
    ("appealed", "Appealed"),
    ("appeal_pending", "Appeal not yet decided"),
    ("appeal_not_upheld", "Appeal not upheld"),
    ("appeal_upheld", "Appeal upheld (including a sanction varied)"),
)
# Each step's count is the sum of the ways out of it: the funnel's totals.
FUNNEL_RELATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "submitted",
        (
            "redirected",
            "resolved_informally",
            "withdrawn_before_panel",
            "open_before_panel",
            "reached_panel",
        ),
    ),
    (
        "reached_panel",
        (*FUNNEL_OUTCOMES, "withdrawn_after_panel", "open_at_panel", "sent_to_signoff"),
    ),
    ("sent_to_signoff", ("awaiting_signoff", "formal")),
    (
        "formal",
        ("formal_untracked", "investigating", *INVESTIGATION_MEASURES.values()),
    ),
    ("inv_hearing", ("hearing_pending", "hearing_held")),
    ("hearing_held", ("sanction_pending", *SANCTION_MEASURES)),
    ("appealed", ("appeal_pending", "appeal_not_upheld", "appeal_upheld")),
)
# Diversion from formal at each step: of the cases that reached it, the share
# that left it on a route other than formal investigation.
DIVERSIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Triage and informal resolution", "submitted", ("redirected", "resolved_informally")),
    ("Fair Treatment Panel", "reached_panel", FUNNEL_OUTCOMES),
)
GOVERNANCE_CHAIN = (
    "Staff networks",
    "Inclusion Group",
    "People Committee",
    "Workforce Assurance Committee",
    "Trust Board",
)


@dataclass(frozen=True)
class Figure:
    """A figure as the pack shows it: its value, or suppressed."""

    value: int | float | None
    hidden: bool = False

    def text(self, spec: str = "") -> str:
        if self.hidden:
            return "suppressed"
        if self.value is None:
            return "n/a"
        if spec:
            return format(self.value, spec)
        return f"{self.value:,}" if isinstance(self.value, int) else f"{self.value:,.1f}"

    @property
    def ratio(self) -> str:
        return self.text(".2f")

    @property
    def percent(self) -> str:
        if self.hidden or self.value is None:
            return self.text()
        return f"{100 * self.value:.2f}%"

    @property
    def days(self) -> str:
        if self.hidden or self.value is None:
            return self.text()
        return f"{self.value:.1f} days"

    def export(self) -> Any:
        """What a download cell holds: the number, blank if undefined, or [c]."""
        if self.hidden:
            return "[c]"
        return "" if self.value is None else self.value


@dataclass(frozen=True)
class GroupRow:
    headcount: Figure
    entered: Figure
    rate: Figure


@dataclass(frozen=True)
class IndicatorRow:
    org_unit: str
    name: str
    year: int
    window: int
    groups: dict[str, GroupRow]
    relative_likelihood: Figure
    ci95_low: Figure
    ci95_high: Figure
    non_adverse: bool | None  # None when undefined or suppressed

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"


@dataclass(frozen=True)
class FunnelCell:
    counts: dict[str, Figure]
    diversion: dict[str, Figure]  # step label -> share diverted
    formal_share: Figure  # formal / submitted
    medians: dict[str, Figure]  # stage -> median days


@dataclass(frozen=True)
class FunnelRow:
    org_unit: str
    name: str
    groups: dict[str, FunnelCell]

    def _across(self, pick: Any) -> list[Figure]:
        return [pick(self.groups[g]) for g in FUNNEL_GROUPS]

    @property
    def steps(self) -> list[tuple[str, list[Figure]]]:
        """Each step's label and its count per group (white, BME, unknown, all)."""
        return [(label, self._across(lambda c, m=m: c.counts[m])) for m, label in FUNNEL_STEPS]

    @property
    def diversions(self) -> list[tuple[str, list[Figure]]]:
        return [
            (label, self._across(lambda c, label=label: c.diversion[label]))
            for label, _, _ in DIVERSIONS
        ]

    @property
    def formal_shares(self) -> list[Figure]:
        return self._across(lambda c: c.formal_share)

    @property
    def medians(self) -> list[tuple[str, list[Figure]]]:
        labels = dict(Stage.choices)
        return [(labels[s], self._across(lambda c, s=s: c.medians[s])) for s in STAGES]


SUSPENSION_GROUPS = ("white", "bme", "unknown")
SUSPENSION_LABELS: tuple[tuple[str, str], ...] = (
    ("any", "Staff suspended, restricted or redeployed"),
    ("suspension", "Suspension (exclusion from work)"),
    ("restriction", "Restriction of duties"),
    ("redeployment", "Temporary redeployment"),
)


@dataclass(frozen=True)
class SuspensionGroup:
    """One ethnic group's suspensions in a unit over the pack's WRES year."""

    headcount: Figure
    counts: dict[str, Figure]  # "any" and each kind: staff whose measure started
    rate: Figure  # "any" per head
    still: Figure  # staff still under a measure at the year's end
    median_days: Figure  # median length of the measures lifted in the year


@dataclass(frozen=True)
class SuspensionRow:
    """Suspensions and restrictions by ethnic group in one unit, beside
    indicator 3: the same relative likelihood (BME rate / white rate) over
    the same headcount, with the same suppression."""

    org_unit: str
    name: str
    groups: dict[str, SuspensionGroup]
    relative_likelihood: Figure
    ci95_low: Figure
    ci95_high: Figure
    non_adverse: bool | None

    def _across(self, pick: Any) -> list[Figure]:
        return [pick(self.groups[g]) for g in SUSPENSION_GROUPS]

    @property
    def lines(self) -> list[tuple[str, list[Figure], str]]:
        """Each line's label, its figure per group (white, BME, unknown) and
        how the figure is written ("count", "percent" or "days")."""
        found = [
            (label, self._across(lambda c, m=m: c.counts[m]), "count")
            for m, label in SUSPENSION_LABELS
        ]
        found += [
            ("Headcount at 31 March", self._across(lambda c: c.headcount), "count"),
            ("Rate (staff suspended, restricted or redeployed per head)",
             self._across(lambda c: c.rate), "percent"),
            ("Still suspended, restricted or redeployed at 31 March",
             self._across(lambda c: c.still), "count"),
            ("Median length of the measures lifted in the year",
             self._across(lambda c: c.median_days), "days"),
        ]  # fmt: skip
        return found


@dataclass
class Pack:
    year: int
    window: int
    years: list[int]
    start: dt.date
    end: dt.date
    threshold: int
    suppressed: bool
    trend: list[IndicatorRow] = field(default_factory=list)  # trust, each year, both windows
    by_icsu: list[IndicatorRow] = field(default_factory=list)  # the year, both windows
    funnel: list[FunnelRow] = field(default_factory=list)
    suspensions: list[SuspensionRow] = field(default_factory=list)  # the year, each unit
    hidden_count: int = 0

    @property
    def chain(self) -> tuple[str, ...]:
        return GOVERNANCE_CHAIN

    @property
    def year_label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"


def governance_pack(
    *,
    year: int,
    window: int | None = None,
    trend_years: int = 5,
    start: dt.date | None = None,
    end: dt.date | None = None,
    suppressed: bool = True,
) -> Pack:
    """Build the pack for WRES year ``year``: indicator 3 for the trust over
    ``trend_years`` years ending with it (one- and two-year windows), every
    ICSU in that year, suspensions by ethnic group in that year, and the
    funnel for cases submitted from ``start`` to ``end`` (default: that WRES
    year). ``suppressed`` applies the small-cell
    rule (always, for anything a governance viewer sees)."""
    policy = trust_policy()
    window = window or policy.wres_window
    start = start or dt.date(year, 4, 1)
    end = end or wres_year_end(year)
    threshold = policy.report_suppression_threshold
    years = list(range(year - trend_years + 1, year + 1))
    units = UnitMap()
    figures = wres_report(years=years, windows=[1, 2])
    funnel = funnel_counts(units, start, end)
    times = stage_times(units, start, end)
    s_counts = suspension_counts(units, dt.date(year, 4, 1), wres_year_end(year))
    s_lengths = suspension_lengths(units, dt.date(year, 4, 1), wres_year_end(year))
    values, relations, published = _indicator_cells(figures, units, year)
    f_values, f_relations, f_published = _funnel_cells(funnel, units)
    s_values, s_relations, s_published = _suspension_cells(s_counts, units)
    values.update(f_values)
    values.update(s_values)
    hidden: set[Key] = set()
    if suppressed:
        hidden = suppress(
            values,
            relations + f_relations + s_relations,
            published=published | f_published | s_published,
            threshold=threshold,
        )
    pack = Pack(year, window, years, start, end, threshold, suppressed, hidden_count=len(hidden))
    for row in figures:
        if row.org_unit == TRUST:
            pack.trend.append(_indicator_row(row, values, hidden))
        if row.year == year:
            pack.by_icsu.append(_indicator_row(row, values, hidden))
    names = units.names()
    heads = {r.org_unit: r for r in figures if r.window == 1 and r.year == year}
    for code in units.codes():
        pack.suspensions.append(
            _suspension_row(
                code,
                names[code],
                year,
                heads[code],
                s_counts,
                s_lengths,
                hidden,
                threshold if suppressed else 0,
            )
        )
    for code in units.codes():
        groups = {
            g: _funnel_cell(code, g, funnel, times, hidden, threshold if suppressed else 0)
            for g in FUNNEL_GROUPS
        }
        pack.funnel.append(FunnelRow(code, names[code], groups))
    return pack


# --- indicator cells -------------------------------------------------------------


def _indicator_cells(
    figures: list[UnitFigures], units: UnitMap, year: int
) -> tuple[dict[Key, int], list[Relation], set[Key]]:
    """Counts keyed ("ent"|"hc"|"sum2", unit, group, year), with the trust =
    ICSUs + outside relations and sum2 = previous + current year."""
    values: dict[Key, int] = {}
    published: set[Key] = set()
    for row in figures:
        if row.window != 2:
            continue  # the two-year rows carry every count the one-year rows do
        for g, per_year in row.yearly.items():
            unit = row.org_unit
            values[("ent", unit, g, row.year - 1)] = per_year[0]
            values[("ent", unit, g, row.year)] = per_year[1]
            values[("hc", unit, g, row.year)] = row.groups[g].headcount
            values[("sum2", unit, g, row.year)] = sum(per_year)
            if unit == TRUST or row.year == year:
                published |= {("ent", unit, g, row.year), ("hc", unit, g, row.year)}
                published.add(("sum2", unit, g, row.year))
    icsus = [u.code for u in units.icsus]
    relations: list[Relation] = []
    for key in [k for k in values if k[1] == TRUST]:
        kind, _, g, y = key
        outside = (kind, OUTSIDE, g, y)
        values[outside] = values[key] - sum(values.get((kind, c, g, y), 0) for c in icsus)
        parts = (*((kind, c, g, y) for c in icsus), outside)
        for part in parts:
            values.setdefault(part, 0)
        relations.append(Relation(key, parts))
    for key in [k for k in values if k[0] == "sum2"]:
        _, unit, g, y = key
        relations.append(Relation(key, (("ent", unit, g, y - 1), ("ent", unit, g, y))))
    return values, relations, published


def _indicator_row(row: UnitFigures, values: dict[Key, int], hidden: set[Key]) -> IndicatorRow:
    def count(kind: str, g: str) -> Key:
        return (kind, row.org_unit, g, row.year)

    entered_kind = "ent" if row.window == 1 else "sum2"
    groups = {}
    for g in ("white", "bme", "unknown"):
        figures = row.groups[g]
        entered_hidden = count(entered_kind, g) in hidden
        hc_hidden = count("hc", g) in hidden
        groups[g] = GroupRow(
            headcount=Figure(figures.headcount, hc_hidden),
            entered=Figure(number(figures.entered), entered_hidden),
            rate=Figure(figures.rate, entered_hidden or hc_hidden),
        )
    inputs_hidden = any(
        count(kind, g) in hidden for kind in (entered_kind, "hc") for g in ("white", "bme")
    )
    ind = row.indicator
    return IndicatorRow(
        org_unit=row.org_unit,
        name=row.name,
        year=row.year,
        window=row.window,
        groups=groups,
        relative_likelihood=Figure(ind.relative_likelihood, inputs_hidden),
        ci95_low=Figure(ind.ci95_low, inputs_hidden),
        ci95_high=Figure(ind.ci95_high, inputs_hidden),
        non_adverse=None if inputs_hidden else ind.non_adverse,
    )


# --- funnel cells ----------------------------------------------------------------


def _funnel_cells(
    counts: Counts, units: UnitMap
) -> tuple[dict[Key, int], list[Relation], set[Key]]:
    """Counts keyed ("f", unit, group, measure) with three kinds of totals:
    all = white + BME + unknown; trust = ICSUs + outside; each funnel step =
    the ways out of it."""
    codes = units.codes()
    values = _funnel_values(counts, codes)
    published = {k for k in values if k[1] != OUTSIDE}
    relations = [*_funnel_unit_relations([*codes, OUTSIDE]), *_funnel_trust_relations(codes[1:])]
    return values, relations, published


def _funnel_measures() -> list[str]:
    return [m for m, _ in FUNNEL_STEPS]


def _funnel_values(counts: Counts, codes: list[str]) -> dict[Key, int]:
    """Each unit's counts, and outside the ICSUs: the trust's less theirs."""
    icsus = codes[1:]
    measures = _funnel_measures()
    values: dict[Key, int] = {
        ("f", unit, g, m): counts[(unit, g, m)]
        for unit in codes
        for g in FUNNEL_GROUPS
        for m in measures
    }
    for g in FUNNEL_GROUPS:
        for m in measures:
            inside = sum(values[("f", c, g, m)] for c in icsus)
            values[("f", OUTSIDE, g, m)] = values[("f", TRUST, g, m)] - inside
    return values


def _funnel_unit_relations(units: list[str]) -> list[Relation]:
    """Within each unit: all = white + BME + unknown, and each funnel step = the
    ways out of it."""
    relations: list[Relation] = []
    for unit in units:
        for m in _funnel_measures():
            parts = tuple(("f", unit, g, m) for g in FUNNEL_GROUPS[:3])
            relations.append(Relation(("f", unit, "all", m), parts))
        for g in FUNNEL_GROUPS:
            for total, ways in FUNNEL_RELATIONS:
                parts = tuple(("f", unit, g, w) for w in ways)
                relations.append(Relation(("f", unit, g, total), parts))
    return relations


def _funnel_trust_relations(icsus: list[str]) -> list[Relation]:
    """Across units: the trust = its ICSUs + outside them."""
    return [
        Relation(("f", TRUST, g, m), tuple(("f", c, g, m) for c in [*icsus, OUTSIDE]))
        for g in FUNNEL_GROUPS
        for m in _funnel_measures()
    ]


def _funnel_cell(
    unit: str, g: str, counts: Counts, times: StageTimes, hidden: set[Key], threshold: int
) -> FunnelCell:
    def fig(m: str) -> Figure:
        return Figure(counts[(unit, g, m)], ("f", unit, g, m) in hidden)

    shown = {m: fig(m) for m, _ in FUNNEL_STEPS}
    diversion = {}
    for label, base, ways in DIVERSIONS:
        diversion[label] = _share([shown[w] for w in ways], shown[base])
    medians = {}
    for stage in STAGES:
        median, n = times.get((unit, g, stage), (None, 0))
        medians[stage] = Figure(median, 0 < n < threshold)
    return FunnelCell(shown, diversion, _share([shown["formal"]], shown["submitted"]), medians)


def _share(parts: Iterable[Figure], whole: Figure) -> Figure:
    parts = list(parts)
    hidden = whole.hidden or any(p.hidden for p in parts)
    if not whole.value:
        return Figure(None, hidden)
    total = sum(int(p.value or 0) for p in parts)
    return Figure(float(Fraction(total, int(whole.value))), hidden)


# --- suspension cells ------------------------------------------------------------


def _suspension_cells(
    counts: Counts, units: UnitMap
) -> tuple[dict[Key, int], list[Relation], set[Key]]:
    """Counts keyed ("sus", measure, unit, group), with the trust = ICSUs +
    outside relations, and "any" = the kinds. The kinds need not add up to
    "any" exactly (someone both restricted and later suspended in the year is
    one of "any" and one of each kind), but they nearly always do, so the
    relation is declared anyway: suppression then protects a small kind as
    if the sum were exact, which errs on the side of hiding. The headcounts
    are indicator 3's own cells ("hc", unit, group, year), suppressed with
    them."""
    codes = units.codes()
    icsus = codes[1:]
    values: dict[Key, int] = {}
    for m in SUSPENSION_MEASURES:
        for g in SUSPENSION_GROUPS:
            for unit in codes:
                values[("sus", m, unit, g)] = counts[(unit, g, m)]
            inside = sum(values[("sus", m, c, g)] for c in icsus)
            values[("sus", m, OUTSIDE, g)] = values[("sus", m, TRUST, g)] - inside
    published = {k for k in values if k[2] != OUTSIDE}
    relations = [
        Relation(("sus", m, TRUST, g), tuple(("sus", m, c, g) for c in [*icsus, OUTSIDE]))
        for m in SUSPENSION_MEASURES
        for g in SUSPENSION_GROUPS
    ]
    relations += [
        Relation(("sus", "any", unit, g), tuple(("sus", k, unit, g) for k in SUSPENSION_KINDS))
        for unit in [*codes, OUTSIDE]
        for g in SUSPENSION_GROUPS
    ]
    return values, relations, published


def _suspension_row(
    code: str,
    name: str,
    year: int,
    heads: UnitFigures,
    counts: Counts,
    lengths: Lengths,
    hidden: set[Key],
    threshold: int,
) -> SuspensionRow:
    """One unit's line of the section: each group's counts, rate, the still
    suspended and the median length (hidden when fewer than ``threshold``
    measures were lifted: a median of one or two is their own length), and
    the relative likelihood from indicator 3's arithmetic, shown only when
    every count it is built from is shown."""

    def fig(m: str, g: str) -> Figure:
        return Figure(counts[(code, g, m)], ("sus", m, code, g) in hidden)

    groups: dict[str, SuspensionGroup] = {}
    window: dict[str, GroupFigures] = {}
    for g in SUSPENSION_GROUPS:
        headcount = heads.groups[g].headcount
        hc_hidden = ("hc", code, g, year) in hidden
        shown = {m: fig(m, g) for m, _ in SUSPENSION_LABELS}
        window[g] = window_figures([counts[(code, g, "any")]], headcount)
        histogram = lengths.get((code, g), Counter())
        lifted = sum(histogram.values())
        groups[g] = SuspensionGroup(
            headcount=Figure(headcount, hc_hidden),
            counts=shown,
            rate=Figure(window[g].rate, hc_hidden or shown["any"].hidden),
            still=fig("still", g),
            median_days=Figure(median_of(histogram) if lifted else None, 0 < lifted < threshold),
        )
    inputs_hidden = any(
        groups[g].headcount.hidden or groups[g].counts["any"].hidden for g in ("white", "bme")
    )
    ind = indicator(window["bme"], window["white"])
    return SuspensionRow(
        org_unit=code,
        name=name,
        groups=groups,
        relative_likelihood=Figure(ind.relative_likelihood, inputs_hidden),
        ci95_low=Figure(ind.ci95_low, inputs_hidden),
        ci95_high=Figure(ind.ci95_high, inputs_hidden),
        non_adverse=None if inputs_hidden else ind.non_adverse,
    )
