"""Benchmark: the deadline sweep costs what is due, not what is open, and
fires its notices in batches.

Three runs of the same sweep (``notifications.services.deadline_sweep``),
each recording the due reminders' notifications and deliveries:

* 100 open cases, all 100 due;
* 100,000 open cases, the same 100 due (the rest due weeks from now);
* 100,000 open cases, 1,000 due (900 more of the reminders brought forward).

The three are separate databases (the small one a copy of the large one
before the other 99,900 cases were added, the third a copy of the large one
once built), swept in turn so that whatever else the machine is doing weighs
on all alike. It prints the best and median time of each and two ratios:
100 due among 100,000 open against among 100 open (close to 1 when the
sweep reads only what is due), and 1,000 due against 100 due among the same
100,000 open (issue 14: at most 3x, and at most about 600 queries for the
1,000, each with PASS or FAIL); then the queries of one sweep and the
claim's plan.

Runs on the PostgreSQL in DATABASE_URL, in a scratch database it creates
(``<name>_sweepbench``) and drops afterwards. Nothing is queued on the
broker: the send tasks stay in the outbox (the sweep's cost is measured up
to its commit). The open cases are written
with bulk inserts (a case, its open step and the step's three scheduled
notices each), not through the services: this measures the sweep only.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases

DUE = 100
MANY_DUE = 1_000
SMALL = 100
LARGE = 100_000
REPEAT = 11
BATCH = 5_000
# Issue 14's bounds for firing MANY_DUE notices against DUE.
MAX_TIME_RATIO = 3.0
MAX_QUERIES = 600


def main() -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    db["TEST"]["NAME"] = db["NAME"] + "_sweepbench"
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        run()
    finally:
        teardown_databases(old, verbosity=0)


class Fixture:
    """People, an employee, and a way to add open cases in bulk."""

    manager: Any

    def __init__(self) -> None:
        from accounts.roles import Role
        from staff.models import Employee, OrgUnit
        from staff.services import user_add

        self.manager = user_add(username="m", role=Role.MANAGER, password="x", validate=False)
        for name, role in (("h", Role.HR), ("d", Role.DECISION_MAKER)):
            user = user_add(username=name, role=role, password="x", validate=False)
            user.email = f"{name}@trust.example"
            user.save(update_fields=["email"])
        trust = OrgUnit.objects.create(code="T", name="Trust", kind="trust")
        self.unit = OrgUnit.objects.create(code="D", name="Dept", kind="department", parent=trust)
        self.employee = Employee.objects.create(
            staff_number="E1", name="Emp", job_title="Nurse", band="5", org_unit=self.unit
        )
        self.made = 0

    def add_open_cases(self, count: int, *, due: bool) -> None:
        """``count`` open cases at triage; their reminders fire today when
        ``due``, else four weeks from now."""
        import datetime as dt

        from django.utils import timezone

        from notifications.models import Kind, ScheduledNotice
        from workflow.flows import ReferralFlow
        from workflow.models import Case, CaseStep

        now = timezone.now()
        today = timezone.localdate()
        fire = today if due else today + dt.timedelta(days=28)
        for start in range(0, count, BATCH):
            n = min(BATCH, count - start)
            processes = ReferralFlow.process_class.objects.bulk_create(
                [ReferralFlow.process_class(flow_class=ReferralFlow) for _ in range(n)]
            )
            cases = Case.objects.bulk_create(
                [self._case(p, now) for p in processes], batch_size=BATCH
            )
            steps = CaseStep.objects.bulk_create(
                [
                    CaseStep(
                        case=c,
                        step="triage",
                        stage="submitted",
                        entered_at=now,
                        due_on=fire + dt.timedelta(days=2),
                    )
                    for c in cases
                ],
                batch_size=BATCH,
            )
            ScheduledNotice.objects.bulk_create(
                [
                    ScheduledNotice(step=s, kind=kind, fire_on=fire + dt.timedelta(days=offset))
                    for s in steps
                    for kind, offset in (
                        (Kind.REMINDER, 0),
                        (Kind.OVERDUE_HR, 2),
                        (Kind.OVERDUE_DECISION_MAKER, 9),
                    )
                ],
                batch_size=BATCH,
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _case(self, process: Any, now: Any) -> Any:
        from workflow.models import Case

        self.made += 1
        return Case(
            process=process,
            reference=f"B-{self.made:07d}",
            referring_manager=self.manager,
            employee=self.employee,
            employee_staff_number="E1",
            employee_name="Emp",
            employee_job_title="Nurse",
            employee_org_unit=self.unit,
            concern_category="conduct",
            summary="A concern raised about conduct during a busy shift handover.",
            incident_date=now.date(),
            submitted_at=now,
            updated_at=now,
        )


def _reset_due() -> None:
    """Undo one sweep (untimed): the due notices back on the queue (as
    ``due_snapshot`` found them), what it recorded gone."""
    from notifications.models import Delivery, Kind, Notification, ScheduledNotice

    kinds = [*Kind.deadline_kinds(), Kind.DUE_STEPS]
    Delivery.objects.filter(notification__kind__in=kinds).delete()
    Notification.objects.filter(kind__in=kinds).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO notifications_schedulednotice (id, step_id, kind, fire_on) "
            "SELECT id, step_id, kind, fire_on FROM bench_due ON CONFLICT DO NOTHING"
        )
    assert ScheduledNotice.objects.filter(fire_on__lte=timezone_today()).count() in (DUE, MANY_DUE)
    # Without this the repeated deletes and updates leave dead rows behind,
    # and later samples (the large run's) would pay for the earlier ones'.
    with connection.cursor() as cursor:
        for table in (
            "notifications_delivery",
            "notifications_notification",
            "notifications_schedulednotice",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def due_snapshot() -> None:
    """Keep the notices due today in ``bench_due``, for ``_reset_due`` to
    put back after each sweep deletes them."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_due")
        cursor.execute(
            "CREATE TABLE bench_due AS SELECT id, step_id, kind, fire_on "
            "FROM notifications_schedulednotice WHERE fire_on <= %s",
            [timezone_today()],
        )


def timezone_today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def slowest(queries: list[dict[str, str]], n: int = 4) -> str:
    """The statements that took longest in one sweep, summed by their start."""
    totals: dict[str, float] = {}
    for q in queries:
        key = " ".join(q["sql"].split())[:90]
        totals[key] = totals.get(key, 0.0) + float(q["time"])
    top = sorted(totals.items(), key=lambda kv: -kv[1])[:n]
    return "\n".join(f"      {t * 1000:7.1f} ms  {sql}" for sql, t in top)


def use_database(name: str) -> None:
    """Point the default connection at ``name`` (reconnects on next use)."""
    connection.close()
    connection.settings_dict["NAME"] = name


def buffers_touched() -> int:
    """Shared buffers this database's backends have hit or read so far (this
    process's counters flushed first): a cost measure the machine's load
    does not blur, unlike time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT blks_hit + blks_read FROM pg_stat_database WHERE datname = current_database()"
        )
        return int(cursor.fetchone()[0])


def sweep_once() -> tuple[float, list[dict[str, str]], int, int]:
    """One sweep from a fresh start: seconds, queries, notices fired, buffers."""
    from notifications.services import deadline_sweep

    _reset_due()
    before = buffers_touched()
    connection.queries_log.clear()  # the log keeps 9,000: capture from empty
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        fired = deadline_sweep()
        seconds = time.perf_counter() - start
    buffers = buffers_touched() - before
    return seconds, list(ctx.captured_queries), fired, buffers


def alternate(*names: str) -> dict[str, list[Any]]:
    """Sweep the databases in turn, REPEAT times each (after one warm-up
    each), so that whatever else the machine does weighs on all alike."""
    runs: dict[str, list[Any]] = {name: [] for name in names}
    for i in range(REPEAT + 1):
        for name in names:
            use_database(name)
            result = sweep_once()
            if i:
                runs[name].append(result)
    return runs


def claim_plan() -> str:
    """PostgreSQL's plan for the sweep's claim: an index scan of the due rows."""
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id FROM notifications_schedulednotice "
            "WHERE fire_on <= %s ORDER BY fire_on, id LIMIT 1000",
            [timezone.localdate()],
        )
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def run() -> None:
    from notifications.services.delivery import broker_breaker

    # Measure the sweep's own work: the send tasks it would queue after each
    # commit are left in the outbox (as when the broker is down), so nothing
    # from this scratch database reaches a queue a real worker reads.
    broker_breaker.pause_seconds = 24 * 3600
    broker_breaker.trip()
    # Each sweep logs its batches and the deliveries left to the outbox:
    # hundreds of lines that would bury the figures.
    logging.getLogger("notifications").setLevel(logging.WARNING)
    large_db = connection.settings_dict["NAME"]
    small_db = large_db + "_small"
    many_db = large_db + "_many"
    fixture = Fixture()
    fixture.add_open_cases(SMALL, due=True)
    due_snapshot()
    # The small database is a copy of this one as it is now: 100 open, all due.
    copy_database(large_db, small_db)
    try:
        start = time.perf_counter()
        fixture.add_open_cases(LARGE - SMALL, due=False)
        built = time.perf_counter() - start
        copy_database(large_db, many_db)
        use_database(many_db)
        bring_forward(MANY_DUE - DUE)
        due_snapshot()
        runs = alternate(small_db, large_db, many_db)
        use_database(large_db)
        report(runs[small_db], runs[large_db], built)
        report_many(runs[large_db], runs[many_db])
    finally:
        use_database(large_db)
        connection.close()
        with connection._nodb_cursor() as cursor:
            for name in (small_db, many_db):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def copy_database(source: str, name: str) -> None:
    """A fresh copy of ``source`` as it is now (nobody may be connected to it)."""
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')


def bring_forward(count: int) -> None:
    """``count`` more reminders of open cases fall due today."""
    from django.utils import timezone

    from notifications.models import Kind, ScheduledNotice

    today = timezone.localdate()
    later = ScheduledNotice.objects.filter(kind=Kind.REMINDER, fire_on__gt=today).order_by("pk")
    ids = list(later.values_list("pk", flat=True)[:count])
    ScheduledNotice.objects.filter(pk__in=ids).update(fire_on=today)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE notifications_schedulednotice")


def report(small: list[Any], large: list[Any], built: float) -> None:
    assert {r[2] for r in small} == {r[2] for r in large} == {DUE}
    small_t, small_queries, _, _ = min(small, key=lambda r: r[0])
    large_t, large_queries, _, _ = min(large, key=lambda r: r[0])
    small_median = statistics.median(r[0] for r in small)
    large_median = statistics.median(r[0] for r in large)
    small_buffers = statistics.median(r[3] for r in small)
    large_buffers = statistics.median(r[3] for r in large)
    print("Deadline sweep: cost follows what is due, not what is open")
    print(
        f"  {SMALL:>7,} open, {DUE} due: best {small_t * 1000:7.1f} ms, "
        f"median {small_median * 1000:7.1f} ms  ({len(small_queries)} queries)"
    )
    print(
        f"  {LARGE:>7,} open, {DUE} due: best {large_t * 1000:7.1f} ms, "
        f"median {large_median * 1000:7.1f} ms  ({len(large_queries)} queries)"
    )
    print(
        f"  ratio (100,000 open / 100 open): best {large_t / small_t:.2f}, "
        f"median {large_median / small_median:.2f}  (close to 1 is the goal)"
    )
    print(
        f"  buffers touched per sweep (median): {small_buffers:,.0f} vs {large_buffers:,.0f}, "
        f"ratio {large_buffers / small_buffers:.2f}"
    )
    print(
        f"  ({REPEAT} sweeps of each, alternating; built {LARGE - SMALL:,} more open "
        f"cases in {built:.0f} s)"
    )
    print("  where the fastest sweep's database time goes, 100 open:")
    print(slowest(small_queries))
    print("  and 100,000 open:")
    print(slowest(large_queries))
    print("  claim query plan at 100,000 open:")
    print(claim_plan())


def report_many(few: list[Any], many: list[Any]) -> bool:
    """Issue 14's measure: 1,000 due against 100 due among the same 100,000
    open, medians of REPEAT sweeps each; whether both bounds hold."""
    assert {r[2] for r in few} == {DUE}
    assert {r[2] for r in many} == {MANY_DUE}
    few_best, few_median = min(r[0] for r in few), statistics.median(r[0] for r in few)
    many_best, many_median = min(r[0] for r in many), statistics.median(r[0] for r in many)
    few_queries = max(len(r[1]) for r in few)
    many_queries = max(len(r[1]) for r in many)
    ratio = many_median / few_median
    time_ok, queries_ok = ratio <= MAX_TIME_RATIO, many_queries <= MAX_QUERIES
    print(f"Deadline sweep in batches: {MANY_DUE:,} due against {DUE} due, {LARGE:,} open")
    for due, best, median, queries in (
        (DUE, few_best, few_median, few_queries),
        (MANY_DUE, many_best, many_median, many_queries),
    ):
        print(
            f"  {due:>7,} due: best {best * 1000:7.1f} ms, median {median * 1000:7.1f} ms  "
            f"({queries} queries)"
        )
    print(
        f"  time ratio: median {ratio:.2f} (at most {MAX_TIME_RATIO:g}): "
        f"{'PASS' if time_ok else 'FAIL'}; best {many_best / few_best:.2f}"
    )
    print(
        f"  queries for {MANY_DUE:,} due {many_queries} (at most {MAX_QUERIES}): "
        f"{'PASS' if queries_ok else 'FAIL'}"
    )
    print(f"  where the fastest {MANY_DUE:,}-due sweep's database time goes:")
    print(slowest(min(many, key=lambda r: r[0])[1]))
    return time_ok and queries_ok


if __name__ == "__main__":
    main()
