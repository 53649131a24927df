"""Benchmark the equity reports at 1,000,000 cases: `make bench-wres`.

Seeds a throwaway PostgreSQL database (``ftp_bench_wres``, created and
dropped here) with a trust of 8 ICSUs and 40 departments, 20,000 employees,
1,000,000 cases over five WRES years with their step spells, and headcounts;
then times, in one run:

1. the full indicator-3 report (trust and every ICSU, one- and two-year
   windows: ``reports.wres.wres_report``) against a bare SQL GROUP BY over the
   same rows (the formal entries of the two years it reads);
2. the funnel (``reports.selectors.funnel_counts``) and the median time in
   each stage (``reports.stage_times.stage_times``) for one WRES year,
   against bare GROUP BYs over the same cases and the same step spells.

Each figure is the median of several runs after a warm-up, and the ratio to
its floor must stay within 3x.

Seeding is raw SQL (generate_series), not the ORM or the services: a million
cases through the services would take hours. It runs under
``session_replication_role = replica``, which switches off triggers, and so
the workflow invariant's triggers and the foreign-key checks, for the seeding
session only. That is acceptable here only because the database is
throwaway and the rows are built consistent by construction (every formal
case has its commission date and outcome; the CHECK constraints, which are
not triggers, still apply).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.test.utils import setup_databases, teardown_databases

CASES = int(os.environ.get("BENCH_WRES_CASES", "1000000"))
EMPLOYEES = 20_000
ICSUS, DEPARTMENTS_PER_ICSU = 8, 5
FIRST_YEAR, YEARS = 2020, 5
REPEAT = 9
LIMIT = 3.0
CODES = "ABCDEFGHJKLMNPRSZ"


def timed(report: Callable[[], object], floor: Callable[[], object]) -> tuple[float, float]:
    """Median seconds of each, run alternately after a warm-up, so that load
    from anything else on the machine falls on both alike."""
    report(), floor()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(REPEAT):
        for fn, out in ((report, samples[0]), (floor, samples[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(samples[0]), statistics.median(samples[1])


def sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else []


def main() -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("bench/wres.py needs PostgreSQL (DATABASE_URL).")
    db["TEST"]["NAME"] = "ftp_bench_wres"
    # --keep leaves the seeded database for the next run (to study plans).
    keep = "--keep" in sys.argv
    old = setup_databases(verbosity=0, interactive=False, keepdb=keep)
    try:
        if not sql("SELECT 1 FROM workflow_case LIMIT 1"):
            started = time.perf_counter()
            seed()
            print(f"Seeded {CASES:,} cases in {time.perf_counter() - started:.1f} s.")
        ok = run()
    finally:
        if not keep:
            teardown_databases(old, verbosity=0)
    if not ok:
        sys.exit(f"A report took more than {LIMIT:.0f}x its floor.")


def seed() -> None:
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.create_user("bench-manager", password="bench-pass-2026")
    sql("SET session_replication_role = replica")
    sql("SELECT setseed(0.2026)")
    sql(
        "INSERT INTO staff_orgunit (id, code, name, kind, parent_id) "
        "VALUES (1, 'TRUST', 'Bench Trust', 'trust', NULL)"
    )
    sql(
        "INSERT INTO staff_orgunit (id, code, name, kind, parent_id) "
        "SELECT 1 + i, 'ICSU-' || i, 'ICSU ' || i, 'icsu', 1 FROM generate_series(1, %s) i",
        [ICSUS],
    )
    sql(
        "INSERT INTO staff_orgunit (id, code, name, kind, parent_id) "
        "SELECT 100 + d, 'DEP-' || d, 'Department ' || d, 'department', 2 + (d - 1) / %s "
        "FROM generate_series(1, %s) d",
        [DEPARTMENTS_PER_ICSU, ICSUS * DEPARTMENTS_PER_ICSU],
    )
    departments = ICSUS * DEPARTMENTS_PER_ICSU
    sql(
        "INSERT INTO staff_employee (id, staff_number, name, job_title, band, org_unit_id, "
        "ethnic_category) SELECT e, 'E' || e, 'Employee ' || e, 'Nurse', '5', "
        "101 + (e %% %s), substr(%s, 1 + (random() * 16)::int, 1) "
        "FROM generate_series(1, %s) e",
        [departments, CODES + "AAAAAA", EMPLOYEES],
    )
    sql(
        "INSERT INTO viewflow_process (id, flow_class, status, created, data) "
        "SELECT g, 'workflow/flows.ReferralFlow', 'DONE', now(), '{}'::jsonb "
        "FROM generate_series(1, %s) g",
        [CASES],
    )
    _seed_cases(manager.pk)
    _seed_steps()
    sql(
        "INSERT INTO reports_headcount (as_at, org_unit_id, ethnic_category, headcount) "
        "SELECT make_date(y + 1, 3, 31), 101 + d, substr(%s, c, 1), 20 + (random() * 400)::int "
        "FROM generate_series(%s, %s) y, generate_series(0, %s) d, generate_series(1, 17) c",
        [CODES, FIRST_YEAR, FIRST_YEAR + YEARS - 1, departments - 1],
    )
    sql("SET session_replication_role = DEFAULT")
    sql("SELECT setval(pg_get_serial_sequence('workflow_case', 'id'), %s)", [CASES])
    connection.cursor().execute("VACUUM ANALYZE")


# Each case's path, from one random number: 5% still at triage, 5% redirected,
# 30% resolved informally, 5% still informal, 3% withdrawn before the panel,
# and 52% reach the panel (of those: 5% still there, 5% withdrawn, 60% another
# outcome, 2% awaiting sign-off, 28% formal).
_CASES_SQL = """
WITH s AS (
    SELECT g AS id, random() AS r1, random() AS r2, random() AS r3,
           1 + (random() * (%(employees)s - 1))::int AS emp,
           timestamptz '%(first)s-04-01 09:00+01' + (random() * %(days)s) * interval '1 day' AS at
    FROM generate_series(1, %(cases)s) g
), p AS (
    SELECT s.*, CASE
        WHEN r1 < 0.05 THEN 'triage' WHEN r1 < 0.10 THEN 'redirected'
        WHEN r1 < 0.40 THEN 'resolved' WHEN r1 < 0.45 THEN 'informal'
        WHEN r1 < 0.48 THEN 'withdrawn0'
        WHEN r3 < 0.05 THEN 'panel' WHEN r3 < 0.10 THEN 'withdrawn1'
        WHEN r3 < 0.70 THEN 'outcome' WHEN r3 < 0.72 THEN 'signoff' ELSE 'formal' END AS path
    FROM s
)
INSERT INTO workflow_case (
    id, process_id, reference, referring_manager_id, employee_id, employee_staff_number,
    employee_name, employee_job_title, employee_band, employee_org_unit_id,
    employee_line_manager_name, employee_ethnic_category, concern_category, summary,
    incident_date, informal_steps_tried, stage, outcome, triage_route, triage_reason,
    redirect_policy, informal_resolved, informal_actions, informal_reason, submitted_at,
    updated_at, closed_at, formal_commissioned_at, version)
SELECT p.id, p.id, 'FTP-B-' || p.id, %(manager)s, e.id, e.staff_number, e.name, e.job_title,
    e.band, e.org_unit_id, '', e.ethnic_category, 'conduct', 'Bench case.', p.at::date - 7, '',
    CASE path WHEN 'triage' THEN 'submitted' WHEN 'informal' THEN 'informal'
        WHEN 'panel' THEN 'panel' WHEN 'signoff' THEN 'signoff' WHEN 'formal' THEN 'formal'
        ELSE 'closed' END,
    CASE path WHEN 'redirected' THEN 'redirected' WHEN 'resolved' THEN 'resolved_informally'
        WHEN 'withdrawn0' THEN 'withdrawn' WHEN 'withdrawn1' THEN 'withdrawn'
        WHEN 'formal' THEN 'formal_investigation'
        WHEN 'outcome' THEN (ARRAY['informal_action','mediation','other_policy',
            'occupational_health','external_referral','no_further_action'])[1 + floor(r2 * 6)::int]
        ELSE '' END,
    CASE WHEN path = 'triage' THEN '' WHEN path = 'redirected' THEN 'redirect'
        WHEN r1 >= 0.48 AND r2 < 0.4 THEN 'panel' ELSE 'informal' END,
    '', CASE WHEN path = 'redirected' THEN 'capability' ELSE '' END,
    CASE WHEN path = 'resolved' THEN true WHEN r1 >= 0.48 AND r2 >= 0.4 THEN false END,
    '', '', p.at, p.at + interval '60 days',
    CASE WHEN path IN ('redirected','resolved','withdrawn0','withdrawn1','outcome')
        THEN p.at + interval '40 days' END,
    CASE WHEN path = 'formal' THEN p.at + (20 + r2 * 40) * interval '1 day' END,
    1
FROM p JOIN staff_employee e ON e.id = p.emp
"""


def _seed_cases(manager_id: int) -> None:
    sql(
        _CASES_SQL
        % {
            "employees": EMPLOYEES,
            "first": FIRST_YEAR,
            "days": YEARS * 365,
            "cases": CASES,
            "manager": manager_id,
        }
    )


# One spell per stage a case went through; the spell it is in now is open.
_STEPS_SQL = """
INSERT INTO workflow_casestep (case_id, step, stage, entered_at, due_on, left_at)
SELECT id, %(step)s, %(stage)s, submitted_at + %(start)s * interval '1 day', NULL,
       CASE WHEN stage = %(stage)s THEN NULL
            ELSE submitted_at + (%(start)s + %(length)s) * interval '1 day' END
FROM workflow_case WHERE %(where)s
"""


def _seed_steps() -> None:
    triage = "(1 + id %% 5)"
    informal = "(5 + id %% 20)"
    panel = "(10 + id %% 15)"
    spells = [
        ("'triage'", "'submitted'", "0", triage, "true"),
        (
            "'informal'",
            "'informal'",
            triage,
            informal,
            "triage_route = 'informal' AND stage <> 'submitted'",
        ),
        (
            "'decide'",
            "'panel'",
            f"({triage} + CASE WHEN triage_route = 'informal' THEN {informal} ELSE 0 END)",
            panel,
            "(triage_route = 'panel' OR informal_resolved = false)",
        ),
        (
            "'signoff'",
            "'signoff'",
            f"({triage} + CASE WHEN triage_route = 'informal' THEN {informal} ELSE 0 END"
            f" + {panel})",
            "(2 + id %% 4)",
            "stage IN ('signoff', 'formal')",
        ),
    ]
    for step, stage, start, length, where in spells:
        sql(
            _STEPS_SQL
            % {"step": step, "stage": stage, "start": start, "length": length, "where": where}
        )


def run() -> bool:
    from reports.grouping import UnitMap, year_start
    from reports.selectors import funnel_counts
    from reports.stage_times import stage_times
    from reports.wres import wres_report

    year = FIRST_YEAR + YEARS - 1
    lo, hi = year_start(year - 1), year_start(year + 1)
    formal_rows = sql(
        "SELECT count(*) FROM workflow_case WHERE formal_commissioned_at >= %s "
        "AND formal_commissioned_at < %s",
        [lo, hi],
    )[0][0]

    def indicator() -> None:
        wres_report(years=[year], windows=[1, 2])

    def indicator_floor() -> None:
        sql(
            "SELECT employee_org_unit_id, employee_ethnic_category, count(DISTINCT employee_id) "
            "FROM workflow_case "
            "WHERE formal_commissioned_at >= %s AND formal_commissioned_at < %s GROUP BY 1, 2",
            [lo, hi],
        )

    start, end = year_start(year), year_start(year + 1)
    first_day, last_day = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    period_rows = sql(
        "SELECT count(*) FROM workflow_case WHERE submitted_at >= %s AND submitted_at < %s",
        [start, end],
    )[0][0]

    def funnel() -> None:
        funnel_counts(UnitMap(), first_day, last_day)

    def funnel_floor() -> None:
        sql(
            "SELECT employee_org_unit_id, employee_ethnic_category, count(*) FROM workflow_case "
            "WHERE submitted_at >= %s AND submitted_at < %s GROUP BY 1, 2",
            [start, end],
        )

    def medians() -> None:
        stage_times(UnitMap(), first_day, last_day)

    def medians_floor() -> None:
        sql(
            "SELECT c.employee_org_unit_id, c.employee_ethnic_category, s.stage, count(*) "
            "FROM workflow_casestep s JOIN workflow_case c ON c.id = s.case_id "
            "WHERE c.submitted_at >= %s AND c.submitted_at < %s GROUP BY 1, 2, 3",
            [start, end],
        )

    checks = [
        (
            f"indicator 3, trust + {ICSUS} ICSUs, 1- and 2-year ({formal_rows:,} formal entries)",
            indicator,
            indicator_floor,
        ),
        (f"funnel counts, one WRES year ({period_rows:,} cases)", funnel, funnel_floor),
        ("median time in each stage, same cases' step spells", medians, medians_floor),
    ]
    ok = True
    print(f"{'report':<72}{'report ms':>10}{'floor ms':>10}{'ratio':>8}")
    total_report = total_floor = 0.0
    for label, report, floor in checks:
        r, f = timed(report, floor)
        ratio = r / f
        ok &= ratio <= LIMIT
        print(f"{label:<72}{r * 1000:>10.1f}{f * 1000:>10.1f}{ratio:>7.2f}x")
        if report is not indicator:
            total_report, total_floor = total_report + r, total_floor + f
    ratio = total_report / total_floor
    print(
        f"{'funnel in all (counts + medians)':<72}{total_report * 1000:>10.1f}"
        f"{total_floor * 1000:>10.1f}{ratio:>7.2f}x"
    )
    ok &= ratio <= LIMIT
    print(f"Each report within {LIMIT:.0f}x of its floor: {'yes' if ok else 'NO'}")
    return ok


if __name__ == "__main__":
    main()
