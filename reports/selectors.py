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
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from panels.models import PANEL_OUTCOMES
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


def funnel_measures(stage: str, outcome: str, reached_panel: bool) -> Iterable[str]:
    """The funnel's counts a case adds one to (see ``reports.funnel``)."""
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
        yield "awaiting_signoff" if stage == "signoff" else "formal"
    elif outcome in FUNNEL_OUTCOMES:
        yield outcome
    elif outcome == "withdrawn":
        yield "withdrawn_after_panel"
    else:
        yield "open_at_panel"


def funnel_counts(units: UnitMap, start: dt.date, end: dt.date) -> Counts:
    """(unit, group, measure) -> cases submitted from ``start`` to ``end``
    (inclusive), followed to where they are now. One GROUP BY over the cases
    by org unit, ethnic group, stage, outcome and whether the case reached the
    panel (triaged straight to it, or unresolved informally)."""
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
        )
        .values("unit", "group", "stage", "outcome", "reached")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts: Counts = Counter()
    for row in rows:
        measures = list(funnel_measures(row["stage"], row["outcome"], bool(row["reached"])))
        for code in units.roll_up(row["unit"]):
            for group in (row["group"], "all"):
                for measure in measures:
                    counts[(code, group, measure)] += row["n"]
    return counts


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day))
