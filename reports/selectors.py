"""Reads for the reports: every figure is a database aggregation.

Each function runs a constant number of queries whatever the data size:
the database groups rows by org unit, ethnic group (a CASE over codes) and
year; Python then rolls units up to their ICSU and the trust (``UnitMap``)
over at most units x groups x years rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from formal.models import AppealOutcome, InvestigationOutcome, Sanction
from panels.models import PANEL_OUTCOMES
from suspensions.models import Suspension, SuspensionKind
from workflow.models import Case, Outcome

from .grouping import (
    UnitMap,
    case_group_expression,
    date_year_expression,
    group_expression,
    wres_year_end,
    wres_year_of,
    year_expression,
    year_start,
)
from .models import Headcount, HistoricalEntry

# (report unit code, WRES year, WRES group) -> count
Counts = Counter[tuple[Any, ...]]


def formal_entries(units: UnitMap, first: int, last: int) -> Counts:
    """Entries into formal investigation per unit, WRES year and group, for
    years ``first`` to ``last``: staff whose case had a formal investigation
    commissioned, plus imported historical entries.

    WRES counts staff entering the process (docs/domain/wres-indicator-3.md), not cases: someone
    with two investigations commissioned in one year is one entry, hence the
    distinct count of employees. (Were they to move unit between the two,
    each unit would count them once.)

    A destroyed case file no longer names its employee: it counts one if its
    ``wres_counted`` says it carries its person (set at destruction when no
    live case of theirs counted them in that unit and year: records.retention),
    so each person still counts once across live cases and tombstones."""
    cases = (
        Case.objects.filter(
            formal_commissioned_at__gte=year_start(first),
            formal_commissioned_at__lt=year_start(last + 1),
        )
        .annotate(
            unit=F("employee_org_unit_id"),
            wres_year=year_expression("formal_commissioned_at", first, last),
            group=case_group_expression(),
        )
        .values("unit", "wres_year", "group")
        # A tombstone's employee is null, so the distinct count is the live
        # cases' people; the tombstones carrying theirs are added.
        .annotate(
            n=Count("employee_id", distinct=True)
            + Count("pk", filter=Q(destroyed_at__isnull=False, wres_counted=True))
        )
        .order_by()
    )
    history = (
        HistoricalEntry.objects.filter(
            date__gte=dt.date(first, 4, 1), date__lte=wres_year_end(last)
        )
        .annotate(
            unit=F("org_unit_id"),
            wres_year=date_year_expression("date", first, last),
            group=group_expression("ethnic_category"),
        )
        .values("unit", "wres_year", "group")
        .annotate(n=Sum("entered"))
        .order_by()
    )
    return _roll_up(units, [*cases, *history])


def headcounts(units: UnitMap, first: int, last: int) -> Counts:
    """Headcount per unit, WRES year and group: the workforce position on the
    latest ``as_at`` date within each WRES year (normally its 31 March)."""
    rows = list(
        Headcount.objects.filter(as_at__gte=dt.date(first, 4, 1), as_at__lte=wres_year_end(last))
        .annotate(unit=F("org_unit_id"), group=group_expression("ethnic_category"))
        .values("as_at", "unit", "group")
        .annotate(n=Sum("headcount"))
        .order_by()
    )
    latest: dict[int, dt.date] = {}
    for row in rows:
        year = wres_year_of(row["as_at"])
        latest[year] = max(latest.get(year, row["as_at"]), row["as_at"])
    taken = [
        {**row, "wres_year": wres_year_of(row["as_at"])}
        for row in rows
        if latest[wres_year_of(row["as_at"])] == row["as_at"]
    ]
    return _roll_up(units, taken)


def _roll_up(units: UnitMap, rows: Iterable[Any]) -> Counts:
    counts: Counts = Counter()
    for row in rows:
        for code in units.roll_up(row["unit"]):
            counts[(code, row["wres_year"], row["group"])] += row["n"] or 0
    return counts


# --- the funnel ------------------------------------------------------------------

# Every measure of a (unit, group) cell of the funnel, from one case's stage,
# outcome and whether it ever reached the panel.
# The panel's outcomes other than a formal investigation (which goes on to
# sign-off), in the panel's own order.
FUNNEL_OUTCOMES = tuple(str(o.value) for o in PANEL_OUTCOMES if o != Outcome.FORMAL_INVESTIGATION)
# The formal process's counts (formal.models): each is one of the ways out
# of the step before it, so the pack's suppression knows the totals
# (reports.pack.FUNNEL_RELATIONS).
INVESTIGATION_MEASURES = {
    InvestigationOutcome.NO_CASE.value: "inv_no_case",
    InvestigationOutcome.INFORMAL.value: "inv_informal",
    InvestigationOutcome.HEARING.value: "inv_hearing",
}
SANCTION_MEASURES = tuple(f"sanction_{s.value}" for s in Sanction)
# Upheld, or upheld in part with the sanction varied: the appeal changed the decision.
APPEAL_MEASURES = {
    AppealOutcome.NOT_UPHELD.value: "appeal_not_upheld",
    AppealOutcome.VARIED.value: "appeal_upheld",
    AppealOutcome.UPHELD.value: "appeal_upheld",
}


@dataclass(frozen=True)
class FormalPath:
    """Where a case's formal process (``formal.models.FormalProcess``) has
    got to, as the funnel reads it: the investigation's outcome ("" while
    investigating), whether the hearing was held, the sanction ("" until
    recorded), whether an appeal was lodged and its outcome ("" until
    decided)."""

    outcome: str = ""
    hearing_held: bool = False
    sanction: str = ""
    appealed: bool = False
    appeal_outcome: str = ""


def formal_measures(path: FormalPath | None) -> Iterable[str]:
    """The formal process's counts a case in formal investigation adds one to.

    A case whose formal investigation was commissioned before the product
    tracked the formal process has none (``path`` None): it counts as not
    tracked, never as still investigating. A hearing counts as held once its
    date or its sanction is recorded, so that the sanctions always add up to
    the hearings held."""
    if path is None:
        yield "formal_untracked"
        return
    if not path.outcome:
        yield "investigating"
    else:
        yield INVESTIGATION_MEASURES[path.outcome]
    if path.outcome == InvestigationOutcome.HEARING:
        if path.hearing_held or path.sanction:
            yield "hearing_held"
            yield f"sanction_{path.sanction}" if path.sanction else "sanction_pending"
        else:
            yield "hearing_pending"
    if path.appealed:
        yield "appealed"
        yield APPEAL_MEASURES.get(path.appeal_outcome, "appeal_pending")


def funnel_measures(
    stage: str, outcome: str, reached_panel: bool, formal: FormalPath | None = None
) -> Iterable[str]:
    """The funnel's counts a case adds one to (see ``reports.funnel``); a case
    in formal investigation adds those of its formal process too."""
    yield "submitted"
    if not reached_panel:
        if outcome in ("redirected", "resolved_informally"):
            yield outcome
        elif outcome == "withdrawn":
            yield "withdrawn_before_panel"
        else:
            yield "open_before_panel"
        return
    yield "reached_panel"
    if stage in ("signoff", "formal"):
        yield "sent_to_signoff"
        if stage == "signoff":
            yield "awaiting_signoff"
        else:
            yield "formal"
            yield from formal_measures(formal)
    elif outcome in FUNNEL_OUTCOMES:
        yield outcome
    elif outcome == "withdrawn":
        yield "withdrawn_after_panel"
    else:
        yield "open_at_panel"


def funnel_counts(units: UnitMap, start: dt.date, end: dt.date) -> Counts:
    """(unit, group, measure) -> cases submitted from ``start`` to ``end``
    (inclusive), followed to where they are now. One GROUP BY over the cases
    by org unit, ethnic group, stage, outcome, whether the case reached the
    panel (triaged straight to it, or unresolved informally) and where its
    formal process is (a LEFT JOIN to the one row a case in formal may have:
    its outcome, sanction and appeal columns, never its text)."""
    reached = ExpressionWrapper(
        Q(triage_route="panel") | Q(informal_resolved=False), output_field=BooleanField()
    )
    rows = (
        Case.objects.filter(
            submitted_at__gte=_midnight(start), submitted_at__lt=_midnight(end + dt.timedelta(1))
        )
        .annotate(
            unit=F("employee_org_unit_id"),
            group=case_group_expression(),
            reached=reached,
            tracked=_is_set("formal_process__opened_at"),
            inv=Coalesce(F("formal_process__investigation_outcome"), Value("")),
            held=_is_set("formal_process__hearing_held_on"),
            sanction=Coalesce(F("formal_process__sanction"), Value("")),
            appealed=_is_set("formal_process__appeal_lodged_on"),
            appeal=Coalesce(F("formal_process__appeal_outcome"), Value("")),
        )
        .values(*FUNNEL_COLUMNS)
        .annotate(n=Count("*"))
        .order_by()
    )
    counts: Counts = Counter()
    for row in rows:
        path = (
            FormalPath(
                row["inv"], bool(row["held"]), row["sanction"], bool(row["appealed"]), row["appeal"]
            )
            if row["tracked"]
            else None
        )
        measures = list(funnel_measures(row["stage"], row["outcome"], bool(row["reached"]), path))
        for code in units.roll_up(row["unit"]):
            for group in (row["group"], "all"):
                for measure in measures:
                    counts[(code, group, measure)] += row["n"]
    return counts


FUNNEL_COLUMNS = (
    "unit", "group", "stage", "outcome", "reached",
    "tracked", "inv", "held", "sanction", "appealed", "appeal",
)  # fmt: skip


def _is_set(field: str) -> ExpressionWrapper[Any]:
    return ExpressionWrapper(Q(**{f"{field}__isnull": False}), output_field=BooleanField())


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day))


# --- suspensions and restrictions -----------------------------------------------

# The register's kinds (suspensions.models.SuspensionKind), and "any" of them.
SUSPENSION_KINDS = tuple(str(k.value) for k in SuspensionKind)
SUSPENSION_MEASURES = ("any", *SUSPENSION_KINDS, "still")


def suspension_counts(units: UnitMap, start: dt.date, end: dt.date) -> Counts:
    """(unit, group, measure) -> staff. ``any`` and each kind: distinct
    employees with a measure that started from ``start`` to ``end``
    (inclusive); ``still``: distinct employees with one that had started by
    ``end`` and was not lifted by then. One GROUP BY over the register by
    the case's org unit and ethnic group (as at referral), with a filtered
    distinct count per measure.

    Staff, not measures, as indicator 3 counts staff: someone suspended
    twice in the year is one. A destroyed case file no longer names its
    employee, so each tombstone's case counts once (its group is the one it
    kept: ``reports.grouping.case_group_expression``)."""
    started = Q(started_on__gte=start, started_on__lte=end)
    still = Q(started_on__lte=end) & (Q(lifted_on__isnull=True) | Q(lifted_on__gt=end))

    def staff(condition: Q) -> Any:
        live = Count("case__employee_id", distinct=True, filter=condition)
        tombstone = condition & Q(case__destroyed_at__isnull=False)
        gone = Count("case_id", distinct=True, filter=tombstone)
        return live + gone

    measures = {
        "any": staff(started),
        **{kind: staff(started & Q(kind=kind)) for kind in SUSPENSION_KINDS},
        "still": staff(still),
    }
    rows = (
        Suspension.objects.filter(started | still)
        .annotate(unit=F("case__employee_org_unit_id"), group=case_group_expression("case__"))
        .values("unit", "group")
        .annotate(**{f"n_{m}": expr for m, expr in measures.items()})
        .order_by()
    )
    counts: Counts = Counter()
    for row in rows:
        found: dict[str, Any] = dict(row)
        for code in units.roll_up(found["unit"]):
            for measure in SUSPENSION_MEASURES:
                counts[(code, found["group"], measure)] += found[f"n_{measure}"] or 0
    return counts


# (unit, group) -> {days: measures lifted after that many days}
Lengths = dict[tuple[str, str], Counter[int]]


def suspension_lengths(units: UnitMap, start: dt.date, end: dt.date) -> Lengths:
    """How long the measures lifted from ``start`` to ``end`` lasted, in days
    from the start to the day lifted: a histogram per unit and group, from
    one GROUP BY (a median is read from it: ``reports.stage_times.median_of``).
    Measures, not staff: each spell is its own length."""
    length = ExpressionWrapper(F("lifted_on") - F("started_on"), output_field=DurationField())
    rows = (
        Suspension.objects.filter(lifted_on__gte=start, lifted_on__lte=end)
        .annotate(
            unit=F("case__employee_org_unit_id"),
            group=case_group_expression("case__"),
            length=length,
        )
        .values("unit", "group", "length")
        .annotate(n=Count("*"))
        .order_by()
    )
    found: Lengths = {}
    for row in rows:
        days = row["length"].days if isinstance(row["length"], dt.timedelta) else row["length"]
        for code in units.roll_up(row["unit"]):
            found.setdefault((code, row["group"]), Counter())[int(days)] += row["n"]
    return found
