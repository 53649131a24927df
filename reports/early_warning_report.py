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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

from staff.models import Employee, OrgUnit
from tenancy.policy import trust_policy

from .early_warning import window_start
from .early_warning_funnel import Limits, Target, funnel_limits, funnel_target
from .early_warning_snapshot import (
    live_unit_rows,
    snapshot_all_rows,
    snapshot_extremes,
    snapshot_of,
    snapshot_rows,
    snapshot_unit_rows,
)
from .models import EarlyWarningRow, EarlyWarningSnapshot
from .pack import Figure
from .suppression import Key, Relation, suppress

UNIT_LEVELS = ("icsu", "department")
ALL_LEVELS = ("icsu", "department", "manager")
LEVEL_LABELS = {"icsu": "ICSU", "department": "Department", "manager": "Referring manager"}
LEVEL_PLURALS = {"icsu": "ICSUs", "department": "Departments", "manager": "Referring managers"}
PAGE_SIZE = 50
MAX_POINTS = 200  # referring managers drawn on their funnel plot
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


class CellRow(Protocol):
    """What the suppression rule reads of a row (the method's or a kept one)."""

    @property
    def level(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def n(self) -> int: ...
    @property
    def bme(self) -> int: ...


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
    not_drawn: int  # rows of the level with no point (no referrals, suppressed, or past the cap)
    capped: bool = False  # only the MAX_POINTS rows with the lowest p-values are drawn

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
    """What one viewer sees of the early warning as at a day over a window.

    Units (ICSUs and departments) are few whatever the size of the trust:
    they are held as ``units``, every row. Referring managers are many: a
    report that shows them reads them from its ``snapshot``, a page at a time."""

    as_at: dt.date
    window_months: int
    target: Target
    threshold: int
    suppressed: bool
    levels: tuple[str, ...]
    units: list[ShownRow] = field(default_factory=list)
    snapshot: EarlyWarningSnapshot | None = None
    hidden_count: int = 0
    unit_names: dict[str, str] = field(default_factory=dict)

    @property
    def window_start(self) -> dt.date:
        return window_start(self.as_at, self.window_months)

    @property
    def p0(self) -> Fraction | None:
        return self.target.p0

    @property
    def computed_at(self) -> dt.datetime | None:
        return self.snapshot.computed_at if self.snapshot else None

    @property
    def _managers_snapshot(self) -> EarlyWarningSnapshot | None:
        """The snapshot pages are read from: a report's that shows managers."""
        return self.snapshot if "manager" in self.levels else None

    def count(self, level: str | None = None) -> int:
        """Rows of ``level`` (every level shown when None)."""
        snapshot = self._managers_snapshot
        if snapshot is not None:
            return snapshot.count(level)
        return len(self.level_rows(level))

    def level_rows(self, level: str | None = None) -> list[ShownRow]:
        """The unit rows of ``level`` (all of them when None)."""
        return [r for r in self.units if level is None or r.level == level]

    def page(self, number: int, level: str | None = None, size: int | None = None) -> ReportPage:
        """Rows ``(number - 1) * size`` on (``PAGE_SIZE`` a page unless
        ``size`` says); a number past the end is the last page."""
        size = size or PAGE_SIZE
        count = max(1, -(-self.count(level) // size))
        number = min(max(number, 1), count)
        start, stop = (number - 1) * size, number * size
        snapshot = self._managers_snapshot
        if snapshot is None:
            return ReportPage(self.level_rows(level)[start:stop], number, count)
        rows = snapshot_rows(snapshot, start=start, stop=stop, level=level)
        return ReportPage(self._shown_rows(rows), number, count)

    def funnels(self) -> list[Funnel]:
        """A funnel per level shown, each to the largest n it draws. Units
        are all drawn; referring managers, the ``MAX_POINTS`` with the lowest
        p-values (a trust may have thousands; the table lists every one)."""
        p0 = None if self.p0 is None else float(self.p0)
        out = []
        snapshot = self._managers_snapshot
        for level in self.levels:
            capped = level == "manager" and snapshot is not None
            if level == "manager" and snapshot is not None:
                rows = self._shown_rows(snapshot_extremes(snapshot, level, MAX_POINTS))
            else:
                rows = self.level_rows(level)
            points = [r for r in rows if r.position]
            n_max = max((int(r.n.value or 0) for r in points), default=0)
            limits = funnel_limits(p0, n_max) if p0 is not None else ()
            total = self.count(level)
            out.append(
                Funnel(
                    level,
                    p0,
                    limits,
                    points,
                    total - len(points),
                    capped=capped and total > len(rows),
                )
            )
        return out

    def csv_rows(self) -> Iterator[tuple[Any, ...]]:
        """The header, then every row the viewer may see, in the page's order
        (read from the snapshot in batches when it holds managers)."""
        yield CSV_HEADER
        snapshot = self._managers_snapshot
        if snapshot is None:
            for row in self.units:
                yield row.csv_row()
            return
        batch: list[EarlyWarningRow] = []
        for stored in snapshot_all_rows(snapshot, self.levels).iterator(chunk_size=2000):
            batch.append(stored)
            if len(batch) == 2000:
                yield from (r.csv_row() for r in self._shown_rows(batch))
                batch = []
        yield from (r.csv_row() for r in self._shown_rows(batch))

    def _shown_rows(self, rows: list[EarlyWarningRow]) -> list[ShownRow]:
        """Stored rows as HR sees them, managers named from their employee
        records (read for these rows only)."""
        numbers = [r.key for r in rows if r.level == "manager"]
        managers = dict(
            Employee.objects.filter(staff_number__in=numbers).values_list("staff_number", "name")
        )
        return [
            _shown(
                r,
                managers.get(r.key, "") if r.level == "manager" else self.unit_names.get(r.key, ""),
                set(),
            )
            for r in rows
        ]


def early_warning_report(
    *,
    as_at: dt.date,
    window_months: int,
    suppressed: bool,
    managers: bool | None = None,
) -> EarlyWarningReport | None:
    """The early warning for one viewer: HR's (``suppressed=False``) or
    governance's (units only, small counts suppressed). ``managers=False``
    leaves managers out of an unsuppressed report too; a suppressed report
    never has them.

    A report with managers is read from the snapshot of the day and window
    (``reports.early_warning_snapshot``): None when there is none yet."""
    with_managers = not suppressed if managers is None else managers and not suppressed
    snapshot = snapshot_of(as_at, window_months)
    if with_managers and snapshot is None:
        return None
    return _report(as_at, window_months, suppressed, with_managers, snapshot)


def early_warning_units_report(
    *, as_at: dt.date, window_months: int, suppressed: bool
) -> EarlyWarningReport:
    """ICSUs and departments only (the governance pack's section): from the
    snapshot of the day and window when there is one, otherwise computed
    for the units alone (no manager is read; the work grows with the window's
    referrals, not with the number of managers)."""
    return _report(as_at, window_months, suppressed, False, snapshot_of(as_at, window_months))


def _report(
    as_at: dt.date,
    window_months: int,
    suppressed: bool,
    with_managers: bool,
    snapshot: EarlyWarningSnapshot | None,
) -> EarlyWarningReport:
    threshold = trust_policy().report_suppression_threshold
    if snapshot is not None:
        unit_rows = snapshot_unit_rows(snapshot)
    else:
        unit_rows = live_unit_rows(as_at, window_months)
    report = EarlyWarningReport(
        as_at,
        window_months,
        funnel_target(as_at),
        threshold,
        suppressed,
        ALL_LEVELS if with_managers else UNIT_LEVELS,
        snapshot=snapshot,
    )
    report.unit_names = dict(
        OrgUnit.objects.filter(kind__in=(OrgUnit.Kind.ICSU, OrgUnit.Kind.DEPARTMENT)).values_list(
            "code", "name"
        )
    )
    hidden: set[Key] = set()
    if suppressed:
        values, relations, published = suppression_cells(unit_rows, _children(unit_rows))
        hidden = suppress(values, relations, published=published, threshold=threshold)
        report.hidden_count = len(hidden)
        unit_rows = sorted(unit_rows, key=lambda r: (UNIT_LEVELS.index(r.level), r.key))
    report.units = [_shown(r, report.unit_names.get(r.key, ""), hidden) for r in unit_rows]
    return report


def _shown(row: EarlyWarningRow, name: str, hidden: set[Key]) -> ShownRow:
    n_hidden = ("n", row.key) in hidden
    bme_hidden = ("bme", row.key) in hidden
    either = n_hidden or bme_hidden
    return ShownRow(
        level=row.level,
        key=row.key,
        name=name,
        n=Figure(row.n, n_hidden),
        bme=Figure(row.bme, bme_hidden),
        expected=Figure(None if row.expected is None else float(row.expected), n_hidden),
        p_value=Figure(row.p_value, either),
        band=SUPPRESSED if either else row.band,
        share=Figure(row.bme / row.n if row.n else None, either),
        position="" if either else row.position,
    )


def _children(rows: Sequence[CellRow]) -> dict[str, list[str]]:
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
    rows: Sequence[CellRow], children: dict[str, list[str]]
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
