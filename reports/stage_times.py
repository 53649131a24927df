"""Median time cases spend in each stage, from their step spells (``CaseStep``).

A case's time in a stage is the sum of its spells there (a case declined at
sign-off goes back to the panel: both panel spells count). A case still in a
stage (an open spell) is left out of that stage's median: its time there is
not known yet, and counting it so far would pull the median down. Cases are
those submitted in the period, grouped by ICSU (and the trust) and ethnic
group, like the funnel.

Medians are taken from each case's time rounded to the nearest hour (the
page shows days to one decimal). On PostgreSQL one query sums each case's
spells and counts cases per ICSU, group, stage and hour; Python then finds
the medians of those histograms for every ICSU and the trust. This is
cheaper than ``percentile_cont`` over grouping sets, which sorts every case
once per grouping (measured in ``bench/wres.py``). SQLite, which ``make run``
uses for the demo, reads the spells and sums them in Python
(``_histograms_in_python``), to the same result.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tenancy.context import trust_id_required
from workflow.models import CaseStep

from .grouping import TRUST, UnitMap, case_group_expression

STAGES = ("submitted", "informal", "panel", "signoff")
# (unit, group, stage) -> (median days, cases)
StageTimes = dict[tuple[str, str, str], tuple[float, int]]


def stage_times(units: UnitMap, start: dt.date, end: dt.date) -> StageTimes:
    """(unit, group, stage) -> (median days, cases) for cases submitted from
    ``start`` to ``end`` (inclusive)."""
    lo, hi = _bounds(start, end)
    read = _histograms_in_postgres if connection.vendor == "postgresql" else _histograms_in_python
    return {
        key: (median_of(histogram) / 24, sum(histogram.values()))
        for key, histogram in read(units, lo, hi).items()
    }


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = timezone.make_aware(dt.datetime(start.year, start.month, start.day))
    after = end + dt.timedelta(days=1)
    return first, timezone.make_aware(dt.datetime(after.year, after.month, after.day))


_SQL = """
WITH per_case AS (
    -- No spell starts before its case was submitted: the condition only
    -- spares the grouping the spells of older cases. Intervals, not epoch
    -- numerics, are summed: their running sums are far cheaper.
    SELECT s.case_id, s.stage, EXTRACT(EPOCH FROM SUM(s.left_at - s.entered_at))::float8 AS secs
    FROM workflow_casestep s
    WHERE s.entered_at >= %s
    GROUP BY s.case_id, s.stage
    HAVING bool_and(s.left_at IS NOT NULL)
)
SELECT CASE WHEN u.kind = 'icsu' THEN u.id WHEN u.kind = 'department' THEN u.parent_id END,
       CASE WHEN c.destroyed_at IS NOT NULL THEN c.wres_group
            WHEN c.employee_ethnic_category IN ('A','B','C') THEN 'white'
            WHEN c.employee_ethnic_category IN ('D','E','F','G','H','J','K','L','M','N','P','R','S')
            THEN 'bme' ELSE 'unknown' END,
       p.stage, round(p.secs / 3600)::int, count(*)
FROM per_case p
JOIN workflow_case c ON c.id = p.case_id
JOIN staff_orgunit u ON u.id = c.employee_org_unit_id
WHERE c.trust_id = %s AND c.submitted_at >= %s AND c.submitted_at < %s
GROUP BY 1, 2, 3, 4
"""

# (unit, group, stage) -> {hours: cases}
Histograms = dict[tuple[str, str, str], Counter[int]]


def _histograms_in_postgres(units: UnitMap, lo: dt.datetime, hi: dt.datetime) -> Histograms:
    codes = {u.id: u.code for u in units.icsus}
    found: Histograms = defaultdict(Counter)
    with transaction.atomic(), connection.cursor() as cursor:
        # For this query only: group every case's time in memory (tens of MB
        # at a million cases) rather than spilling to disk, and skip JIT
        # compilation, which costs more than it saves here.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("SET LOCAL jit = off")
        # The trust named, not left to row-level security alone: a superuser
        # (the seeder, a DBA's session) is not bound by the policy, and the
        # submissions index leads with the trust.
        cursor.execute(_SQL, [lo, trust_id_required(), lo, hi])
        for icsu, group, stage, hours, n in cursor.fetchall():
            for where in (TRUST, codes.get(icsu)) if icsu in codes else (TRUST,):
                for g in (group, "all"):
                    found[(str(where), g, stage)][hours] += n
    return found


def _histograms_in_python(units: UnitMap, lo: dt.datetime, hi: dt.datetime) -> Histograms:
    spells = (
        CaseStep.objects.filter(case__submitted_at__gte=lo, case__submitted_at__lt=hi)
        .annotate(unit=F("case__employee_org_unit_id"), group=case_group_expression("case__"))
        .values_list("case_id", "unit", "group", "stage", "entered_at", "left_at")
    )
    per_case: dict[tuple[Any, ...], float | None] = {}
    for case_id, unit, group, stage, entered, left in spells.iterator():
        key = (case_id, unit, group, stage)
        seconds = None if left is None else (left - entered).total_seconds()
        before = per_case.get(key, 0.0)
        per_case[key] = None if seconds is None or before is None else before + seconds
    found: Histograms = defaultdict(Counter)
    for (_, unit, group, stage), seconds in per_case.items():
        if seconds is None:
            continue
        for where in units.roll_up(unit):
            for g in (group, "all"):
                found[(where, g, stage)][round(seconds / 3600)] += 1
    return found


def median_of(histogram: Counter[int]) -> float:
    """The median of the values a histogram counts (the mean of the middle two
    when their number is even)."""
    n = sum(histogram.values())
    middle = {(n - 1) // 2, n // 2}
    picked, seen = [], 0
    for value in sorted(histogram):
        count = histogram[value]
        picked += [value for i in middle if seen <= i < seen + count]
        seen += count
    return sum(picked) / len(picked)
