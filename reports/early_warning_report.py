"""The early warning as the page, its download and the governance pack show
it (docs/early-warning.md, "In the app").

``early_warning_report`` takes the method's rows (``early_warning``) and
decides, once, what a viewer sees:

* **HR's view** (``suppressed=False``): every level, managers included,
  named from their employee record; every figure.
* **Governance's view** (``suppressed=True``): ICSUs and departments only;
  no manager row, key or name is ever built. The counts *n* and *bme* go
  through the trust's small-cell rule (``reports.suppression``, the same
  rule and threshold as the governance pack): a count from 1 to threshold - 1
  is hidden, and so is any count that could be worked out from the ones shown
  (white = n - bme in a row; an ICSU's counts = its departments' plus those
  held against the ICSU itself). A row whose *n* or *bme* is hidden shows
  neither its p-value, its band, its share nor a point on the funnel plot: with
  *n* and the unit's workforce share known, each of them narrows down, or
  gives away, the count. ``expected`` (n times the unit's workforce share)
  is shown whenever *n* is. Suppressed rows are listed by level and code, not
  by p-value, so that a row's place does not hint at a hidden p-value.

Every figure is a ``reports.pack.Figure``, so the page, the plot and the
CSV cannot disagree about what is hidden.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from staff.models import Employee, OrgUnit
from tenancy.policy import trust_policy

from .early_warning import Row, band_of, early_warning, significant, two_decimals, window_start
from .early_warning_funnel import (
    Limits,
    Target,
    funnel_limits,
    funnel_position,
    funnel_target,
)
from .pack import Figure
from .suppression import Key, Relation, suppress

UNIT_LEVELS = ("icsu", "department")
ALL_LEVELS = ("icsu", "department", "manager")
LEVEL_LABELS = {"icsu": "ICSU", "department": "Department", "manager": "Referring manager"}
LEVEL_PLURALS = {"icsu": "ICSUs", "department": "Departments", "manager": "Referring managers"}
PAGE_SIZE = 50
SUPPRESSED = "suppressed"
CSV_HEADER = (
    "level",
    "key",
    "name",
    "n",
    "bme",
    "expected",
    "p_value",
    "band",
    "bme_share",
    "funnel_position",
)


@dataclass(frozen=True)
class ShownRow:
    """One row as its viewer sees it."""

    level: str
    key: str
    name: str
    n: Figure
    bme: Figure
    expected: Figure
    p_value: Figure
    band: str  # alert, warning, none, insufficient, or "suppressed"
    share: Figure  # bme / n
    position: str  # against the funnel; blank when the point is not drawn

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def expected_text(self) -> str:
        return self.expected.text(".2f")

    @property
    def p_text(self) -> str:
        return self.p_value.text(".4g")

    @property
    def share_text(self) -> str:
        return self.share.percent if self.share.value is not None else self.share.text()

    def csv_row(self) -> tuple[Any, ...]:
        return (
            self.level,
            self.key,
            self.name,
            self.n.export(),
            self.bme.export(),
            self.expected.export(),
            self.p_value.export(),
            self.band,
            self.share.export(),
            self.position,
        )


@dataclass(frozen=True)
class Funnel:
    """One level's funnel plot: its target, limits and drawn points."""

    level: str
    p0: float | None
    limits: tuple[Limits, ...]
    points: list[ShownRow]
    not_drawn: int  # rows of the level with no point (no referrals, or suppressed)

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def plural(self) -> str:
        return LEVEL_PLURALS[self.level]


@dataclass(frozen=True)
class ReportPage:
    rows: list[ShownRow]
    number: int
    count: int  # pages in all

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


@dataclass
class EarlyWarningReport:
    as_at: dt.date
    window_months: int
    target: Target
    threshold: int
    suppressed: bool
    levels: tuple[str, ...]
    rows: list[ShownRow] = field(default_factory=list)
    hidden_count: int = 0

    @property
    def window_start(self) -> dt.date:
        return window_start(self.as_at, self.window_months)

    @property
    def p0(self) -> Fraction | None:
        return self.target.p0

    def level_rows(self, level: str | None = None) -> list[ShownRow]:
        return [r for r in self.rows if level is None or r.level == level]

    def page(self, number: int, level: str | None = None, size: int | None = None) -> ReportPage:
        """Rows ``(number - 1) * size`` on (``PAGE_SIZE`` a page unless
        ``size`` says); a number past the end is the last page."""
        size = size or PAGE_SIZE
        rows = self.level_rows(level)
        count = max(1, -(-len(rows) // size))
        number = min(max(number, 1), count)
        return ReportPage(rows[(number - 1) * size : number * size], number, count)

    def funnels(self) -> list[Funnel]:
        """A funnel per level shown, each to the largest n it draws."""
        p0 = None if self.p0 is None else float(self.p0)
        out = []
        for level in self.levels:
            rows = self.level_rows(level)
            points = [r for r in rows if r.position]
            n_max = max((int(r.n.value or 0) for r in points), default=0)
            limits = funnel_limits(p0, n_max) if p0 is not None else ()
            out.append(Funnel(level, p0, limits, points, len(rows) - len(points)))
        return out

    def csv_rows(self) -> Iterator[tuple[Any, ...]]:
        yield CSV_HEADER
        for row in self.rows:
            yield row.csv_row()


def early_warning_report(
    *, as_at: dt.date, window_months: int, suppressed: bool, managers: bool | None = None
) -> EarlyWarningReport:
    """The early warning for one viewer: HR's (``suppressed=False``) or
    governance's (units only, small counts suppressed). ``managers=False``
    leaves managers out of an unsuppressed report too (the governance pack);
    a suppressed report never has them."""
    threshold = trust_policy().report_suppression_threshold
    with_managers = not suppressed if managers is None else managers and not suppressed
    levels = ALL_LEVELS if with_managers else UNIT_LEVELS
    rows = [r for r in early_warning(as_at, window_months) if r.level in levels]
    report = EarlyWarningReport(
        as_at, window_months, funnel_target(as_at), threshold, suppressed, levels
    )
    names = _names(rows, managers=with_managers)
    hidden: set[Key] = set()
    if suppressed:
        values, relations, published = suppression_cells(rows, _children(rows))
        hidden = suppress(values, relations, published=published, threshold=threshold)
        report.hidden_count = len(hidden)
        rows = sorted(rows, key=lambda r: (UNIT_LEVELS.index(r.level), r.key))
    p0 = report.p0
    n_max = max((r.n for r in rows), default=0)
    limits = funnel_limits(float(p0), n_max) if p0 is not None else ()
    report.rows = [_shown(r, names.get((r.level, r.key), ""), hidden, limits) for r in rows]
    return report


def _shown(row: Row, name: str, hidden: set[Key], limits: tuple[Limits, ...]) -> ShownRow:
    n_hidden = ("n", row.key) in hidden
    bme_hidden = ("bme", row.key) in hidden
    either = n_hidden or bme_hidden
    tail = row.tail
    expected = None if row.p is None else two_decimals(row.n * row.p)
    drawn = not either and row.n > 0 and len(limits) >= row.n
    return ShownRow(
        level=row.level,
        key=row.key,
        name=name,
        n=Figure(row.n, n_hidden),
        bme=Figure(row.bme, bme_hidden),
        expected=Figure(expected, n_hidden),
        p_value=Figure(None if tail is None else significant(tail), either),
        band=SUPPRESSED if either else band_of(row.n, tail),
        share=Figure(row.bme / row.n if row.n else None, either),
        position=funnel_position(row.n, row.bme, limits[row.n - 1]) if drawn else "",
    )


def _names(rows: list[Row], *, managers: bool) -> dict[tuple[str, str], str]:
    """Units' names by code; managers' names from their employee records
    (only ever read for a view that shows managers)."""
    names = {
        (str(kind), code): name
        for code, name, kind in OrgUnit.objects.values_list("code", "name", "kind")
    }
    if managers:
        numbers = [r.key for r in rows if r.level == "manager"]
        for number, name in Employee.objects.filter(staff_number__in=numbers).values_list(
            "staff_number", "name"
        ):
            names[("manager", number)] = name
    return names


def _children(rows: list[Row]) -> dict[str, list[str]]:
    """Each listed ICSU's listed departments, by code."""
    children: dict[str, list[str]] = defaultdict(list)
    shown = {r.key for r in rows}
    for code, parent in OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT).values_list(
        "code", "parent__code"
    ):
        if code in shown and parent in shown:
            children[parent].append(code)
    return children


def suppression_cells(
    rows: list[Row], children: dict[str, list[str]]
) -> tuple[dict[Key, int], list[Relation], set[Key]]:
    """The counts and their additive relations, for ``suppress``: in each
    row n = bme + white (white is never shown, so it is protected when
    small); an ICSU's bme, white and n = its departments' + its own
    (the ICSU's own are never shown)."""
    values: dict[Key, int] = {}
    relations: list[Relation] = []
    for row in rows:
        values[("n", row.key)] = row.n
        values[("bme", row.key)] = row.bme
        values[("white", row.key)] = row.n - row.bme
        relations.append(Relation(("n", row.key), (("bme", row.key), ("white", row.key))))
    published = {k for k in values if k[0] in ("n", "bme")}
    for icsu in [r.key for r in rows if r.level == "icsu"]:
        departments = sorted(children.get(icsu, []))
        for measure in ("n", "bme", "white"):
            own = (f"own_{measure}", icsu)
            values[own] = values[(measure, icsu)] - sum(values[(measure, d)] for d in departments)
            parts = (*((measure, d) for d in departments), own)
            relations.append(Relation((measure, icsu), parts))
        relations.append(Relation(("own_n", icsu), (("own_bme", icsu), ("own_white", icsu))))
    return values, relations, published
